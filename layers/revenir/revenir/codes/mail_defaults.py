"""Revenir's default guest templates, in French, English, Dutch and German (seed 000's wording).

Hosts edit copies of these; the defaults themselves never change under them. Variables are documented
in docs/emails.md.
"""

from __future__ import annotations

from revenir.mail.content import MailContent

_FRAME = """<!doctype html><html><body style="margin:0;background:#f4f1ea;font-family:Georgia,serif;color:#2b2b2b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:8px">
<tr><td style="padding:28px 32px">{body}</td></tr>
<tr><td style="padding:16px 32px;font-size:12px;color:#777;border-top:1px solid #eee">{{{{ property.name }}}}
{{% if property.website %}} · <a href="{{{{ property.website }}}}" style="color:#777">{{{{ property.website }}}}</a>
{{% endif %}}
</td></tr></table></td></tr></table></body></html>"""

_CODE_BOX = """<div style="margin:24px 0;padding:20px;text-align:center;background:#fbf6e9;border:2px dashed #c9a44c;
border-radius:8px"><div style="font-size:14px;color:#8a6d1f">{label}</div>
<div style="font-size:28px;font-weight:bold;margin:8px 0">{{{{ promo.value }}}}</div>
<div style="font-size:14px">{until} {{{{ promo.valid_until|date }}}}</div>
<div style="font-size:24px;letter-spacing:3px;font-family:monospace;margin-top:8px">{{{{ promo.code }}}}</div></div>"""

_PROMO = {
    "fr": ("Votre code promo {{ promo.name }} — {{ property.name }}", "Bonjour {{ guest.first_name }},",
           "Nous avons le plaisir de vous adresser votre code promo valable jusqu'au {{ promo.valid_until|date }}.",
           "Votre code promo", "jusqu'au", "Saisissez-le lors de votre réservation sur notre site.",
           "À très bientôt,"),
    "en": ("Your promo code {{ promo.name }} — {{ property.name }}", "Hello {{ guest.first_name }},",
           "We are pleased to send you your promo code, valid until {{ promo.valid_until|date }}.",
           "Your promo code", "until", "Enter it when you book on our website.", "See you soon,"),
    "nl": ("Uw promotiecode {{ promo.name }} — {{ property.name }}", "Beste {{ guest.first_name }},",
           "Met plezier sturen wij u uw promotiecode, geldig tot {{ promo.valid_until|date }}.",
           "Uw promotiecode", "tot", "Vul hem in wanneer u op onze website boekt.", "Tot binnenkort,"),
    "de": ("Ihr Gutscheincode {{ promo.name }} — {{ property.name }}", "Hallo {{ guest.first_name }},",
           "Wir freuen uns, Ihnen Ihren Gutscheincode zu senden, gültig bis {{ promo.valid_until|date }}.",
           "Ihr Gutscheincode", "bis", "Geben Sie ihn bei Ihrer Buchung auf unserer Website ein.", "Bis bald,"),
}


def _promo_code(language: str) -> MailContent:
    subject, hello, intro, label, until, how, bye = _PROMO[language]
    body = (f"<p>{hello}</p><p>{intro}</p>" + _CODE_BOX.format(label=label, until=until)
            + f"<p>{how}</p><p>{bye}<br>{{{{ property.name }}}}</p>")
    text = (f"{hello}\n\n{intro}\n\n{label}: {{{{ promo.value }}}}\n{{{{ promo.code }}}} — {until} "
            f"{{{{ promo.valid_until|date }}}}\n\n{how}\n\n{bye}\n{{{{ property.name }}}}\n")
    return MailContent(subject=subject, html=_FRAME.format(body=body), text=text)


PROMO_CODE = {language: _promo_code(language) for language in _PROMO}


def pick(templates: dict[str, MailContent], language: str | None, fallback: str) -> tuple[str, MailContent]:
    """The guest's language, else the property's, else English."""
    for candidate in (language, fallback, "en"):
        if candidate in templates:
            return candidate, templates[candidate]
    raise KeyError("no template")
