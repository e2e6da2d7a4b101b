"""The gift e-mails: the vouchers in the body and the printable page attached, in the reader's language.

Imports jinja2 (through revenir.mail.rendering): only the function that sends them imports this module.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from revenir.i18n.formats import format_money
from revenir.mail import message as mime
from revenir.mail import rendering
from revenir.properties.models import Property
from revenir.vouchers import codes as voucher_codes
from revenir.vouchers import printable as voucher_print
from revenir.vouchers.mail_defaults import GIFT_VOUCHERS


def language_for(order: dict[str, Any], audience: str, fallback: str) -> str:
    person = order.get("recipient") if audience == "recipient" else order.get("buyer")
    for candidate in ((person or {}).get("language"), (order.get("buyer") or {}).get("language"), fallback, "en"):
        if candidate in GIFT_VOUCHERS[audience]:
            return str(candidate)
    return "en"


def build(prop: Property, order: dict[str, Any], vouchers: list[dict[str, Any]], audience: str
          ) -> tuple[str, bytes]:
    """(recipient address, raw MIME) of the e-mail for `audience` ("buyer" or "recipient")."""
    language = language_for(order, audience, prop.default_language)
    content = GIFT_VOUCHERS[audience][language]
    recipient = order.get("recipient")
    variables = {
        "property": {"name": prop.name, "website": prop.website, "contact_email": prop.contact_email},
        "order": {"number": order["order_number"]},
        "buyer": {"first_name": order["buyer"]["first_name"], "last_name": order["buyer"]["last_name"]},
        "recipient": {"name": recipient["name"], "message": recipient.get("message")} if recipient else None,
        "vouchers": [{"name": v["name"], "code": voucher_codes.display(v["code"]),
                      "value": format_money(int(v["initial_value"]), v["currency"], language),
                      "valid_until": v["valid_until"]} for v in vouchers],
        "audience": audience,
    }
    rendered = rendering.render(content, variables, language)
    printable = voucher_print.page([voucher_print.PrintableVoucher(
        kind=v["kind"], name=v["name"], code=voucher_codes.display(v["code"]), amount=int(v["initial_value"]),
        currency=v["currency"], valid_until=v["valid_until"], property_name=prop.name,
        property_website=prop.website,
        buyer_name=f"{order['buyer']['first_name']} {order['buyer']['last_name']}" if recipient else None,
        recipient_name=recipient["name"] if recipient else None,
        message=recipient.get("message") if recipient and audience == "recipient" else None) for v in vouchers],
        language)
    to = recipient["email"] if audience == "recipient" and recipient else order["buyer"]["email"]
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = mime.mailbox(prop.name, prop.sender_email)
    message["To"] = to
    message["Reply-To"] = prop.contact_email
    message["Message-ID"] = make_msgid(domain="revenir.example")
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(mime.inline_css(rendered.html), subtype="html", cte="quoted-printable")
    message.add_attachment(printable.encode("utf-8"), maintype="text", subtype="html",
                           filename=f"bon-cadeau-{order['order_number']}.html")
    return to, mime.serialize(message)
