"""A guest e-mail as MIME: text and HTML parts, one-click unsubscribe headers (RFC 8058) for marketing."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from revenir.mail.content import RenderedMail


@dataclass(frozen=True)
class Envelope:
    sender: str
    sender_name: str
    recipient: str
    reply_to: str | None = None
    unsubscribe_url: str | None = None  # marketing messages carry one


def inline_css(html: str) -> str:
    """Mail clients drop <style>: move the CSS onto the elements (css-inline, a compiled wheel)."""
    import css_inline

    return str(css_inline.inline(html))


def build(envelope: Envelope, mail: RenderedMail, message_id_domain: str = "revenir.example") -> bytes:
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = formataddr((envelope.sender_name, envelope.sender))
    message["To"] = envelope.recipient
    message["Message-ID"] = make_msgid(domain=message_id_domain)
    if envelope.reply_to:
        message["Reply-To"] = envelope.reply_to
    if envelope.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{envelope.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text, cte="quoted-printable")
    message.add_alternative(inline_css(mail.html), subtype="html", cte="quoted-printable")
    return message.as_bytes()
