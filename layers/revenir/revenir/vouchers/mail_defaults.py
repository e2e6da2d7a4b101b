"""Default e-mails of gift vouchers (fr, en, nl, de): to the buyer at once, to the recipient on the chosen day.

Variables: property (name, website, contact_email), order (number), buyer (first_name, last_name), recipient
(name, message) or None, vouchers (list of name, code, value, valid_until), audience ("buyer"/"recipient").
"""

from __future__ import annotations

from revenir.i18n import LANGUAGES, t
from revenir.mail.content import MailContent
from revenir.mail.frame import FOOTER_SHORT, frame

_BOX = """{{% for v in vouchers %}}<div class="code-box"><div class="code-label">{{{{ v.name }}}}</div>
<div class="code-value">{{{{ v.value }}}}</div>
<div class="code voucher-code">{{{{ v.code }}}}</div>
<div>{until} {{{{ v.valid_until|date }}}}</div></div>{{% endfor %}}"""

_KEYS = ("subject_buyer", "subject_recipient", "hello_buyer", "hello_recipient", "intro_buyer", "intro_recipient",
         "until", "how", "bye")


def _content(language: str, audience: str) -> MailContent:
    subj_b, subj_r, hello_b, hello_r, intro_b, intro_r, until, how, bye = (
        t(language, f"emails.gift_vouchers.{k}") for k in _KEYS)
    subject, hello, intro = (subj_b, hello_b, intro_b) if audience == "buyer" else (subj_r, hello_r, intro_r)
    message = ("{% if recipient and recipient.message %}<blockquote>{{ recipient.message }}</blockquote>{% endif %}"
               if audience == "recipient" else "")
    body = (f"<p>{hello}</p><p>{intro}</p>{message}" + _BOX.format(until=until)
            + f"<p>{how}</p><p>{bye}<br>{{{{ property.name }}}}</p>")
    text_message = "{% if recipient and recipient.message %}« {{ recipient.message }} »\n\n{% endif %}" \
        if audience == "recipient" else ""
    text = (f"{hello}\n\n{intro}\n\n{text_message}"
            "{% for v in vouchers %}{{ v.name }}: {{ v.value }} — {{ v.code }} — "
            f"{until} {{{{ v.valid_until|date }}}}\n{{% endfor %}}\n{how}\n\n{bye}\n{{{{ property.name }}}}\n")
    return MailContent(subject=subject, html=frame(body, FOOTER_SHORT, language), text=text)


GIFT_VOUCHERS = {audience: {language: _content(language, audience) for language in LANGUAGES}
                 for audience in ("buyer", "recipient")}


# ---------------------------------------------------------------- a paid order that could not be issued (issue 12, item 16)
# Variables: property (name, contact_email), order (number, amount, buyer_name, buyer_email, reason, refund_id).
# Texts: the `emails` catalog, issue_failed.{subject_buyer, body_buyer, subject_host, body_host}.


def _failed(language: str, audience: str) -> MailContent:
    subject, body = (t(language, f"emails.issue_failed.{k}_{audience}") for k in ("subject", "body"))
    html = frame("".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in body.split("\n\n")),
                 "{{ property.name }}", language)
    return MailContent(subject=subject, html=html, text=body + "\n")


#: ISSUE_FAILED[audience][language], audience "buyer" (the buyer's language) or "host" (the property's).
ISSUE_FAILED = {audience: {language: _failed(language, audience) for language in LANGUAGES}
                for audience in ("buyer", "host")}
