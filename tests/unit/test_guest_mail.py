"""Issue 15, item 3 and 4 on the e-mails' server side: every default template, in every language, reads well
whatever the property's name ("Le Moulin", "Das Haus": no article or preposition glued to it), its headers
survive folding, the host's review alert speaks the host's language with a link to the review, and the
"thank you" e-mail asks for a review out of the box."""

from __future__ import annotations

import html
import re
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from typing import Any

import pytest

from revenir.codes.mail_defaults import PROMO_CODE
from revenir.core.signing import Signer
from revenir.guests.dispatch import Composer
from revenir.guests.mail_defaults import DEFAULTS
from revenir.guests.mail_templates import sample_booking
from revenir.guests.store import PropertyContext
from revenir.guests.templates import MailTemplate
from revenir.i18n import LANGUAGES, t
from revenir.mail import message, rendering
from revenir.mail.content import MailContent, RenderedMail
from revenir.reviews import alerts
from revenir.vouchers.mail_defaults import GIFT_VOUCHERS, ISSUE_FAILED

NAMES = ("Le Moulin", "Les Tilleuls", "De Molen", "Das Haus", "L'Oustal", "The Old Mill")
OFFERS = {"chambre": {"name": "Chambre", "price": 9000, "currency": "EUR"}}


def _property(name: str) -> dict[str, Any]:
    return {"name": name, "time_zone": "Europe/Paris", "sender_email": "moulin@example.com", "currency": "EUR",
            "website": "https://moulin.example", "contact_email": "accueil@moulin.example",
            "contact_phone": "+33 1 23 45 67 89", "default_language": "fr"}


def stay_variables(name: str, lang: str) -> dict[str, Any]:
    context = PropertyContext(property_item=_property(name), offers=OFFERS)
    template = MailTemplate.model_validate({"template_id": "t", "name": "t", "kind": "post_stay",
                                            "category": "marketing", "trigger": {"type": "after_departure",
                                                                                 "days": 1}, "versions": {}})
    composer = Composer(Signer("s" * 32), "https://revenir.example")
    variables = composer.variables(context, template, sample_booking("demo", context), set(), lang, True)
    variables["promo_code"] = {"code": "MERCI", "name": "Merci", "value": "10 %", "valid_until": "2027-01-31"}
    variables["upsell_options"] = [{"offer_id": "x", "name": "Petit-déjeuner",
                                    "price": {"amount": 1200, "currency": "EUR"}}]
    variables["cart"] = {"cart_id": "c1", "recovery_url": "https://moulin.example/?cart=c1",
                         "total": {"amount": 9000, "currency": "EUR"}, "arrival": "2027-01-01",
                         "departure": "2027-01-03", "lines": [{"offer_id": "chambre", "name": "Chambre",
                                                               "amount": {"amount": 9000, "currency": "EUR"}}]}
    return variables


def every_default(name: str, lang: str) -> list[tuple[str, RenderedMail]]:
    """Every default e-mail rendered in `lang` for a property called `name`."""
    stay = stay_variables(name, lang)
    out = [(tid, rendering.render(MailContent(**template["versions"][lang]), stay, lang))
           for tid, template in DEFAULTS.items()]
    prop = {"name": name, "website": "https://moulin.example", "contact_email": "accueil@moulin.example"}
    promo = {"property": prop, "guest": {"first_name": "Anna"},
             "promo": {"name": "Merci", "value": "10 %", "valid_until": "2027-01-31", "code": "MERCI"}}
    out.append(("promo_code", rendering.render(PROMO_CODE[lang], promo, lang)))
    vouchers = {"property": prop, "order": {"number": "G-1"}, "buyer": {"first_name": "Anna", "last_name": "B"},
                "recipient": {"name": "Zoé", "message": "Bon séjour"}, "audience": "buyer",
                "vouchers": [{"name": "Chèque cadeau", "code": "ABCD-EFGH", "value": "50,00 €",
                              "valid_until": "2027-12-31"}]}
    out += [(f"gift_{a}", rendering.render(GIFT_VOUCHERS[a][lang], vouchers, lang)) for a in GIFT_VOUCHERS]
    order = {"number": "G-1", "amount": "50,00 €", "buyer_name": "Anna B", "buyer_email": "a@example.com",
             "reason": "x", "refund_id": "re_1"}
    out += [(f"failed_{a}", rendering.render(ISSUE_FAILED[a][lang], {"property": prop, "order": order}, lang))
            for a in ISSUE_FAILED]
    review = {"review_id": "rv_direct_" + "0" * 24, "rating": 200, "rating_original": "2", "rating_scale": "1-5",
              "source": "direct", "created_at": "2026-12-01T10:00:00Z", "categories": {"cleanliness": {"score": 100}}}
    out.append(("review_alert", rendering.render(alerts.ALERT[lang], alerts.variables(
        _property(name), review, 3.0, lang, "https://admin.example/admin/index.html#/reviews"), lang)))
    return out


def visible(mail: RenderedMail) -> list[str]:
    """The texts a reader sees: subject, plain text and the HTML's text."""
    body = html.unescape(re.sub(r"<[^>]+>", "\n", re.sub(r"<(style|title)>.*?</\1>", "", mail.html, flags=re.S)))
    return [mail.subject, mail.text, body]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_no_article_or_preposition_is_glued_to_the_property_name(name: str, lang: str) -> None:
    """'Votre arrivée à Le Moulin', 'im Das Haus', 'bij De Molen': the name only ever follows punctuation or
    starts a line, so it reads right whatever article it carries."""
    glued = re.compile(r"[^\W\d_][ \t\u00a0]+" + re.escape(name), re.UNICODE)  # on one line
    problems = [f"{tid}: …{m.group(0)!r}…" for tid, mail in every_default(name, lang)
                for text in visible(mail) for m in glued.finditer(text)]
    assert problems == []


def test_the_check_above_catches_a_glued_name() -> None:
    bad = RenderedMail(subject="Votre arrivée à Le Moulin", html="<p>x</p>", text="im Das Haus")
    glued = re.compile(r"[^\W\d_][ \t\u00a0]+" + re.escape("Le Moulin"))
    assert glued.search(visible(bad)[0])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_default_is_fluid_up_to_600_px(lang: str) -> None:
    for tid, mail in every_default("Le Moulin", lang):
        assert "max-width:600px" in mail.html.replace(" ", ""), tid
        assert not re.search(r'width="\d{3,}"|(?<!max-)width:\s*\d{3,}px', mail.html), tid  # no fixed 560/608 px
        assert f'<html lang="{lang}">' in mail.html and 'name="viewport"' in mail.html, tid


LONG = {
    "fr": "Vos bons cadeaux — Le Moulin d'en haut, gîtes et chambres d'hôtes au cœur de la forêt (commande 2026-00042)",
    "en": "Your gift vouchers — The Old Mill on the Hill, cottages and guest rooms in the woods (order 42)",
    "nl": "Uw cadeaubonnen — De Molen op de heuvel, vakantiehuisjes en gastenkamers midden in het bos (bestelling 42)",
    "de": "Ihre Geschenkgutscheine — Das Haus am Hügel, Ferienhäuser und Gästezimmer mitten im Wald (Bestellung 42)",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_long_headers_keep_every_space_through_the_real_mime_build_and_parse(lang: str) -> None:
    """The standard library folds encoded words at 78 columns and can drop the space after one ('haut —gîtes'):
    our MIME never folds a header under 998 columns, and a mail client reads the exact subject back."""
    for extra in ("", " ✓ — é à ü ß", " " + "séjour été " * 8):
        subject = LONG[lang] + extra
        sender_name = subject[:70]
        raw = message.build(message.Envelope(sender="moulin@example.com", sender_name=sender_name,
                                             recipient="guest@example.com"),
                            RenderedMail(subject=subject, html="<p>x</p>", text="x"))
        parsed = message_from_bytes(raw, policy=policy.default)
        assert parsed["Subject"] == subject
        assert str(make_header(decode_header(message_from_bytes(raw)["Subject"]))) == subject  # compat32 readers
        (sender,) = parsed["From"].addresses  # a comma in the name never splits the From into two addresses
        assert (sender.display_name, sender.addr_spec) == (sender_name, "moulin@example.com")
        assert max(len(line) for line in raw.split(b"\r\n\r\n")[0].splitlines()) <= message.HEADER_LINE_LIMIT


def test_the_voucher_and_refund_mails_use_the_same_unfolded_headers() -> None:
    import inspect

    from revenir.vouchers import mail, refunds

    for module in (mail, refunds):
        source = inspect.getsource(module)
        assert "mime.serialize(message)" in source and "as_bytes()" not in source and "formataddr" not in source


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_thanks_mail_asks_for_a_review_with_the_signed_link_and_is_on_by_default(lang: str) -> None:
    assert DEFAULTS["thanks"]["enabled"] is True
    variables = stay_variables("Le Moulin", lang)
    thanks = rendering.render(MailContent(**DEFAULTS["thanks"]["versions"][lang]), variables, lang)
    link = variables["review_link"]
    assert "/reviews/form?b=" in link and "&t=" in link and f"lang={lang}" in link
    assert link in thanks.text and html.escape(link) in thanks.html
    assert t(lang, "emails.common.review_button") in thanks.text
    assert t(lang, "emails.lifecycle.thanks.review_ask") in thanks.text


@pytest.mark.parametrize(("host_language", "words"), [("fr", ("Propreté", "Lire et répondre")),
                                                       ("de", ("Sauberkeit", "In Revenir lesen")),
                                                       ("nl", ("Netheid", "Lezen en beantwoorden"))])
def test_the_review_alert_speaks_the_hosts_language_and_links_to_the_review(host_language: str,
                                                                            words: tuple[str, str]) -> None:
    from revenir.reviews.models import ReviewSettings

    prop = {**_property("Le Moulin"), "default_language": host_language}
    review = {"review_id": "rv_google_" + "a" * 24, "rating": 150, "rating_original": "1.5", "rating_scale": "1-5",
              "source": "google", "created_at": "2026-12-01T10:00:00Z", "text": "Sale.",
              "categories": {"cleanliness": {"score": 100}, "value": {"score": 200}}}
    assert alerts.alert_language(prop) == host_language
    assert alerts.alert_language(prop, ReviewSettings(property_id="demo", alert_language="en")) == "en"
    raw = alerts.compose(prop, review, "host@example.com", 3.0, alerts.alert_language(prop),
                         "https://d1.cloudfront.net/admin/index.html")
    parsed = message_from_bytes(raw, policy=policy.default)
    text = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert all(w in text for w in words) and "Cleanliness" not in text and "Value for money" not in text
    assert "https://d1.cloudfront.net/admin/index.html#/reviews?max_rating=3&review=rv_google_" in text
    assert parsed["From"].addresses[0].display_name == "Revenir · Le Moulin"
    no_link = alerts.compose(prop, review, "host@example.com", 3.0, host_language, None)
    assert b"#/reviews" not in no_link  # no back-office address configured: no dead link
