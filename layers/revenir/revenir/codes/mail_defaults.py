"""Revenir's default guest templates, in French, English, Dutch and German (seed 000's wording; texts in the
`emails` catalog of revenir.i18n).

Hosts edit copies of these; the defaults themselves never change under them. Variables are documented
in docs/emails.md.
"""

from __future__ import annotations

from revenir.i18n import LANGUAGES, t
from revenir.mail.content import MailContent
from revenir.mail.frame import FOOTER_SHORT, frame

_CODE_BOX = """<div class="code-box"><div class="code-label">{label}</div>
<div class="code-value">{{{{ promo.value }}}}</div>
<div>{until} {{{{ promo.valid_until|date }}}}</div>
<div class="code">{{{{ promo.code }}}}</div></div>"""


def _promo_code(language: str) -> MailContent:
    subject, hello, intro, label, until, how, bye = (
        t(language, f"emails.promo_code.{k}") for k in ("subject", "hello", "intro", "label", "until", "how", "bye"))
    body = (f"<p>{hello}</p><p>{intro}</p>" + _CODE_BOX.format(label=label, until=until)
            + f"<p>{how}</p><p>{bye}<br>{{{{ property.name }}}}</p>")
    text = (f"{hello}\n\n{intro}\n\n{label}: {{{{ promo.value }}}}\n{{{{ promo.code }}}} — {until} "
            f"{{{{ promo.valid_until|date }}}}\n\n{how}\n\n{bye}\n{{{{ property.name }}}}\n")
    return MailContent(subject=subject, html=frame(body, FOOTER_SHORT, language), text=text)


PROMO_CODE = {language: _promo_code(language) for language in LANGUAGES}


def pick(templates: dict[str, MailContent], language: str | None, fallback: str) -> tuple[str, MailContent]:
    """The guest's language, else the property's, else English."""
    for candidate in (language, fallback, "en"):
        if candidate in templates:
            return candidate, templates[candidate]
    raise KeyError("no template")
