"""The host's lifecycle e-mail templates: Revenir's defaults until edited (stored as the property's own copy),
an edit checked by rendering it, a preview for a booking or a sample stay, a test send. Renders mail (jinja2):
only the mail function imports it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from revenir.core import clock
from revenir.core.errors import Forbidden, NotFound
from revenir.core.validation import Email, Language
from revenir.guests.bookings import Booking
from revenir.guests.dispatch import Composer
from revenir.guests.lifecycle import effective_templates
from revenir.guests.store import GuestRepository, PropertyContext
from revenir.guests.templates import MailTemplate, MailTemplateInput
from revenir.mail import rendering
from revenir.mail.content import RenderedMail
from revenir.mail.sender import Mailer


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    booking_id: str | None = Field(default=None, description="A real booking; default: a sample stay.")
    language: Language | None = None


class TestSendRequest(PreviewRequest):
    email: Email


class Preview(BaseModel):
    language: str
    subject: str
    html: str
    text: str


def sample_booking(property_id: str, context: PropertyContext) -> Booking:
    """A stay two weeks ahead for two adults and a child, in the property's first offer."""
    today = clock.local_today((context.property_item or {})["time_zone"])
    offers = list(context.offers)[:1]
    return Booking(booking_id="SAMPLE-0001", property_id=property_id, first_name="Martin", last_name="Dupont",
                   email="martin.dupont@example.com", arrival=today + timedelta(days=14),
                   departure=today + timedelta(days=16), adults=2, children=1, offer_ids=offers,
                   created_at=clock.iso(clock.now()), updated_at=clock.iso(clock.now()))


@dataclass(frozen=True)
class MailTemplates:
    repository: GuestRepository

    def list(self, property_id: str) -> list[MailTemplate]:
        return list(effective_templates(self.repository.property_context(property_id).templates).values())

    def _template(self, property_id: str, template_id: str) -> tuple[MailTemplate, PropertyContext]:
        context = self.repository.property_context(property_id)
        template = effective_templates(context.templates).get(template_id)
        if template is None:
            raise NotFound(f"no template {template_id!r}", code="template_not_found")
        return template, context

    def get(self, property_id: str, template_id: str) -> MailTemplate:
        return self._template(property_id, template_id)[0]

    def put(self, property_id: str, template_id: str, body: MailTemplateInput) -> MailTemplate:
        """Create a custom template or edit a default; a syntax error is the host's: 400 template_error."""
        for content in [*body.versions.values(), *(v for variant in body.variants for v in variant.versions.values())]:
            rendering.check(content.mail())
        template = MailTemplate(template_id=template_id, customized=True, updated_at=clock.iso(clock.now()),
                                **body.model_dump())
        self.repository.save_template(property_id, template_id, template.model_dump(mode="json"))
        return template

    def delete(self, property_id: str, template_id: str) -> None:
        self.repository.delete_template(property_id, template_id)

    def _render(self, composer: Composer, property_id: str, template_id: str, request: PreviewRequest,
                recipient: str | None = None) -> tuple[bytes, str, RenderedMail, PropertyContext]:
        template, context = self._template(property_id, template_id)
        booking: Booking
        if request.booking_id:
            item = self.repository.get_booking(property_id, request.booking_id)
            if item is None:
                raise NotFound(f"no booking {request.booking_id!r}", code="booking_not_found")
            booking = Booking.model_validate(item)
        else:
            booking = sample_booking(property_id, context)
        raw, language, rendered = composer.compose(context, template, booking, None, False, recipient=recipient,
                                                   language=request.language)
        return raw, language, rendered, context

    def preview(self, composer: Composer, property_id: str, template_id: str, request: PreviewRequest) -> Preview:
        _, language, rendered, _ = self._render(composer, property_id, template_id, request)
        return Preview(language=language, subject=rendered.subject, html=rendered.html, text=rendered.text)

    @staticmethod
    def test_recipients(context: PropertyContext, caller_email: str | None) -> tuple[str, ...]:
        """Who may receive a test (issue 12, item 1): the property's contact address and the caller's own
        (the token's verified e-mail claim), never any address a host types — a test send is not a relay."""
        allowed = [str((context.property_item or {}).get("contact_email") or ""), caller_email or ""]
        return tuple(dict.fromkeys(a.strip().lower() for a in allowed if a.strip()))

    def test_send(self, composer: Composer, mailer: Mailer, property_id: str, template_id: str,
                  request: TestSendRequest, caller_email: str | None = None) -> dict[str, str]:
        """The rendered template, its subject prefixed [TEST], to the host's own addresses only (403 otherwise)."""
        allowed = self.test_recipients(self.repository.property_context(property_id), caller_email)
        if request.email.strip().lower() not in allowed:
            raise Forbidden("a test goes only to the property's contact address or to your own sign-in address",
                            code="test_recipient_not_allowed",
                            details=[{"field": "body.email", "message": "use one of the allowed addresses",
                                      "allowed": [*allowed]}])
        raw, language, rendered, context = self._render(composer, property_id, template_id, request,
                                                        recipient=request.email)
        raw = raw.replace(b"Subject: ", b"Subject: [TEST] ", 1)
        message_id = mailer.send((context.property_item or {})["sender_email"], request.email, raw)
        return {"message_id": message_id, "language": language, "subject": "[TEST] " + rendered.subject}


def suppress_from_ses_event(repository: GuestRepository, detail: dict[str, Any]) -> int:
    """A permanent bounce or a complaint (an SES event's detail) suppresses the address for every property."""
    kind = str(detail.get("eventType", "")).lower()
    recipients: list[str] = []
    reason = ""
    if kind == "bounce" and detail.get("bounce", {}).get("bounceType") == "Permanent":
        recipients = [r["emailAddress"] for r in detail["bounce"].get("bouncedRecipients", [])]
        reason = "bounced"
    elif kind == "complaint":
        recipients = [r["emailAddress"] for r in detail.get("complaint", {}).get("complainedRecipients", [])]
        reason = "complained"
    for address in recipients:
        repository.suppress(address.strip().lower(), reason, clock.iso(clock.now()),
                            detail.get("mail", {}).get("messageId"))
    return len(recipients)


__all__ = ["MailTemplates", "Preview", "PreviewRequest", "TestSendRequest", "suppress_from_ses_event"]
