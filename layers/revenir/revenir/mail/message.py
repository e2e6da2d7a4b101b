"""A guest e-mail as MIME: text and HTML parts, one-click unsubscribe headers (RFC 8058) for marketing."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid

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


#: Header lines up to RFC 5322's hard limit: the standard library's folding of encoded words at 78 columns can
#: drop the space between an encoded word and the next word ("haut —gîtes"); unfolded, nothing is lost.
HEADER_LINE_LIMIT = 998


def mailbox(display_name: str, address: str) -> Address:
    """A From/To mailbox the header policy quotes itself: a name with a comma or quotes ("Le Moulin, gîtes")
    stays one address (formataddr's encoded word was decoded and re-split at the comma)."""
    return Address(display_name=display_name, addr_spec=address)


def serialize(message: EmailMessage) -> bytes:
    """The message's bytes, headers unfolded up to 998 columns (the body was encoded at 76 when it was set)."""
    return message.as_bytes(policy=message.policy.clone(max_line_length=HEADER_LINE_LIMIT))


def build(envelope: Envelope, mail: RenderedMail, message_id_domain: str = "revenir.example") -> bytes:
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = mailbox(envelope.sender_name, envelope.sender)
    message["To"] = envelope.recipient
    message["Message-ID"] = make_msgid(domain=message_id_domain)
    if envelope.reply_to:
        message["Reply-To"] = envelope.reply_to
    if envelope.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{envelope.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text, cte="quoted-printable")
    message.add_alternative(inline_css(mail.html), subtype="html", cte="quoted-printable")
    return serialize(message)
