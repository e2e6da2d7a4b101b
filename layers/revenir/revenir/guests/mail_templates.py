"""The host's lifecycle e-mail templates: Revenir's defaults until edited (stored as the property's own copy),
an edit checked by rendering it, a preview for a booking or a sample stay, a test send. Renders mail (jinja2):
only the mail function imports it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from revenir.core import clock
from revenir.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from revenir.core.validation import Email, Language
from revenir.guests.bookings import Booking
from revenir.guests.dispatch import Composer
from revenir.guests.lifecycle import effective_templates
from revenir.guests.store import GuestRepository, PropertyContext
from revenir.guests.templates import Content, MailTemplate, MailTemplateInput, MailTemplatePatch
from revenir.guests.variables import CART_KINDS, Variables, listing
from revenir.mail import rendering
from revenir.mail.content import RenderedMail
from revenir.mail.sender import PROPERTY_TAG, Mailer


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    booking_id: str | None = Field(default=None, description="A real booking; default: a sample stay.")
    language: Language | None = None
    variant: int | None = Field(default=None, ge=0, description="Render this variant's texts (index in "
                                                                 "`variants`) whatever the guest's segments.")
    content: Content | None = Field(default=None, description="Unsaved texts to render instead of the stored "
                                                              "ones (the editor's live preview); needs `language`.")

    @model_validator(mode="after")
    def _content_has_a_language(self) -> PreviewRequest:
        if self.content is not None and self.language is None:
            raise ValueError("language is required with content")
        return self


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
        check(body)
        template = MailTemplate(template_id=template_id, customized=True, updated_at=clock.iso(clock.now()),
                                revision=secrets.token_hex(8), **body.model_dump())
        self.repository.save_template(property_id, template_id, template.model_dump(mode="json"))
        return template

    def patch(self, property_id: str, template_id: str, body: MailTemplatePatch) -> MailTemplate:
        """A partial edit (versions merged per language), written only if the template did not change since it
        was read: a concurrent edit is never lost. With the caller's `revision`, a change made meanwhile is a
        409 concurrent_change; without it, the edit is merged into the latest (retried a few times)."""
        changes = body.model_dump(exclude_unset=True, exclude={"revision"})
        based_on = "revision" in body.model_fields_set  # null: based on Revenir's default (never saved)
        for _ in range(3):
            current = self.get(property_id, template_id)
            if based_on and body.revision != current.revision:
                raise Conflict("the template changed since it was read; reload it", code="concurrent_change")
            merged = current.model_dump(mode="json", exclude={"template_id", "customized", "updated_at",
                                                              "revision"})
            for name, value in changes.items():
                merged[name] = {**merged["versions"], **value} if name == "versions" else value
            edited = MailTemplateInput.model_validate(merged)
            check(edited)
            template = MailTemplate(template_id=template_id, customized=True, updated_at=clock.iso(clock.now()),
                                    revision=secrets.token_hex(8), **edited.model_dump())
            if self.repository.replace_template(property_id, template_id, template.model_dump(mode="json"),
                                                current.revision):
                return template
            if based_on:
                break
        raise Conflict("the template changed since it was read; reload it", code="concurrent_change")

    def delete(self, property_id: str, template_id: str) -> None:
        self.repository.delete_template(property_id, template_id)

    def variables(self, composer: Composer, property_id: str, kind: str) -> Variables:
        """The variables of a kind of template, with examples rendered for a sample stay (or basket)."""
        context = self.repository.property_context(property_id)
        prop = context.property_item or {}
        booking = sample_booking(property_id, context)
        template = MailTemplate(template_id="sample", name="sample", kind="custom", category="marketing",
                                trigger={"type": "after_departure", "days": 1},
                                versions={})
        language = str(prop.get("default_language") or "en")
        values = composer.variables(context, template, booking, set(), language, with_unsubscribe=True)
        currency = prop.get("currency") or "EUR"
        values["promo_code"] = {"code": "MERCI-2027", "name": "Merci", "value": "-10 %",
                                "valid_until": str(booking.departure + timedelta(days=365))}
        values["booking"]["total"] = values["booking"]["total"] or {"amount": 24000, "currency": currency}
        values["upsell_options"] = values["upsell_options"] or [
            {"offer_id": o, "name": offer["name"], "price": {"amount": offer["price"], "currency": offer["currency"]}}
            for o, offer in list(context.offers.items())[:2]]
        if kind in CART_KINDS:
            values["cart"] = {"cart_id": "CART-0001", "recovery_url": f"{composer.base_url}/book?cart=CART-0001",
                              "total": values["booking"]["total"], "arrival": values["booking"]["arrival"],
                              "departure": values["booking"]["departure"],
                              "lines": [{"offer_id": o, "name": context.offers[o]["name"],
                                         "amount": values["booking"]["total"]} for o in booking.offer_ids]}
        return listing(kind, values, language)

    def _render(self, composer: Composer, property_id: str, template_id: str, request: PreviewRequest,
                recipient: str | None = None) -> tuple[bytes, str, RenderedMail, PropertyContext]:
        template, context = self._template(property_id, template_id)
        template = with_draft(template, request)
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


def with_draft(template: MailTemplate, request: PreviewRequest) -> MailTemplate:
    """The template as the editor shows it: one variant's texts (whatever the guest's segments), and unsaved
    texts for the request's language in place of the stored ones."""
    if request.variant is None and request.content is None:
        return template
    versions = dict(template.versions)
    if request.variant is not None:
        if request.variant >= len(template.variants):
            raise InvalidInput("no such variant", details=[{"field": "body.variant", "type": "value_error",
                                                            "message": "no such variant"}])
        versions = dict(template.variants[request.variant].versions)
    if request.content is not None and request.language is not None:
        rendering.check(request.content.mail())
        versions[request.language] = request.content  # type: ignore[index, unused-ignore]
    return template.model_copy(update={"versions": versions, "variants": []})


def check(body: MailTemplateInput) -> None:
    """Render every text of the template: a syntax error is the host's (400 template_error)."""
    for content in [*body.versions.values(), *(v for variant in body.variants for v in variant.versions.values())]:
        rendering.check(content.mail())


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
    mail = detail.get("mail", {})
    # The dispatcher tags its messages with the property (SES message tag PROPERTY_TAG): a bounce of a tagged
    # message is counted on that property's dashboard, and a marker of the bounce or complaint in the guest's
    # partition tells that property's e-mailing tool at once (the stream). Untagged ones (other senders) only
    # suppress the address.
    tagged = (mail.get("tags") or {}).get(PROPERTY_TAG) or []
    for address in recipients:
        repository.suppress(address.strip().lower(), reason, clock.iso(clock.now()), mail.get("messageId"))
        if reason == "bounced" and tagged and mail.get("messageId"):
            repository.count_bounce(str(tagged[0]), address.strip().lower(), str(mail["messageId"]),
                                    clock.iso(clock.now()))
        elif reason == "complained" and tagged and mail.get("messageId"):
            repository.mark_complaint(str(tagged[0]), address.strip().lower(), str(mail["messageId"]),
                                      clock.iso(clock.now()))
    return len(recipients)


__all__ = ["MailTemplates", "Preview", "PreviewRequest", "TestSendRequest", "Variables", "suppress_from_ses_event"]
