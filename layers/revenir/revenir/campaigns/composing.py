"""One campaign e-mail: the recipient's language (else the property's, else English, else any), the host's
texts rendered in the mail sandbox (revenir.mail.rendering) with the guest's variables, MIME with the
one-click unsubscribe headers (revenir.mail.message). Imports jinja2: the campaigns and mail functions only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revenir.core.signing import Signer, unsubscribe_url
from revenir.guests.templates import Content
from revenir.i18n.formats import format_money, format_percent
from revenir.mail import message as mime
from revenir.mail import rendering
from revenir.mail.content import RenderedMail
from revenir.table.dynamodb import Item

#: The variables of a campaign e-mail (GET …/campaigns/variables lists them with examples).
VARIABLES = {
    "guest.first_name": "Martin", "guest.last_name": "Dupont", "guest.email": "martin.dupont@example.com",
    "property.name": "", "property.contact_email": "", "property.contact_phone": "", "property.website": "",
    "promo_code.code": "MERCI-7K2M9Q", "promo_code.name": "", "promo_code.value": "-10 %",
    "promo_code.valid_until": "2027-06-30", "unsubscribe_url": "https://…/unsubscribe?…",
}


def message_language(versions: dict[str, Any], wanted: str | None, fallback: str | None) -> str:
    """The version a recipient gets: theirs, else the property's, else English, else any. The promo code's value
    is formatted in this language too, so an English text never carries a French amount."""
    for candidate in (wanted, fallback, "en"):
        if candidate and candidate in versions:
            return candidate
    return next(iter(versions))


def choose(versions: dict[str, Any], wanted: str | None, fallback: str | None) -> tuple[str, Content]:
    language = message_language(versions, wanted, fallback)
    return language, Content.model_validate(versions[language])


def promo_variables(promo: Any, code: str | None, valid_until: str | None, language: str) -> dict[str, Any] | None:
    """`promo` is the promo-code engine's PromoCode (the shared code, or the model of a per-recipient code)."""
    if promo is None:
        return None
    discount = promo.discount
    value = (format_money(discount.amount, discount.currency, language) if discount.type == "amount"
             else f"-{format_percent(discount.percent, language)}")
    return {"code": code or promo.code, "name": promo.name, "value": value,
            "valid_until": valid_until or str(promo.valid_until)}


@dataclass
class CampaignComposer:
    signer: Signer
    base_url: str

    def unsubscribe_link(self, property_id: str, email: str, campaign_id: str) -> str:
        """The guests' signed unsubscribe link, plus the campaign (`c`) it is counted against."""
        return unsubscribe_url(self.signer, self.base_url, property_id, email) + f"&c={campaign_id}"

    def compose(self, property_item: Item, campaign: Item, recipient: Item, promo: dict[str, Any] | None,
                to: str | None = None, language: str | None = None) -> tuple[bytes, str, RenderedMail]:
        lang, content = choose(campaign["versions"], language or recipient.get("language"),
                               property_item.get("default_language"))
        unsubscribe = self.unsubscribe_link(campaign["property_id"], recipient["email"], campaign["campaign_id"])
        variables = {
            "guest": {"first_name": recipient.get("first_name"), "last_name": recipient.get("last_name"),
                      "email": recipient["email"]},
            "property": {"name": property_item.get("name"), "contact_email": property_item.get("contact_email"),
                         "contact_phone": property_item.get("contact_phone"),
                         "website": property_item.get("website")},
            "promo_code": promo, "unsubscribe_url": unsubscribe}
        rendered = rendering.render(content.mail(), variables, lang)
        envelope = mime.Envelope(sender=property_item["sender_email"], sender_name=property_item["name"],
                                 recipient=to or recipient["email"], reply_to=property_item.get("contact_email"),
                                 unsubscribe_url=unsubscribe)
        return mime.build(envelope, rendered), lang, rendered
