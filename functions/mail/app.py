"""Lifecycle e-mails: templates (admin: edit, preview, test send), the scheduled dispatcher, and SES bounce and
complaint events. The only guest-data function allowed to send mail; it alone imports jinja2."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from revenir.codes.store import PromoCodeRepository
from revenir.core import clock
from revenir.core.errors import NotFound
from revenir.core.settings import MailSettings, load
from revenir.core.signing import Signer
from revenir.core.validation import Email, Language
from revenir.guests.bookings import Booking
from revenir.guests.dispatch import Composer, Dispatcher
from revenir.guests.lifecycle import effective_templates
from revenir.guests.mail_defaults import DEFAULTS
from revenir.guests.store import GuestRepository
from revenir.guests.templates import Content, MailTemplate, MailTemplateInput
from revenir.http.app import create_app
from revenir.http.params import PropertyId
from revenir.mail import rendering
from revenir.mail.content import RenderedMail
from revenir.mail.sender import SesMailer

logger = Logger(service="mail")
metrics = Metrics(namespace="Revenir", service="mail")
app = create_app()

TemplateId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


@cache
def wiring() -> tuple[GuestRepository, SesMailer, Composer]:
    settings = load(MailSettings)
    dynamodb = boto3.client("dynamodb")
    repository = GuestRepository(dynamodb, settings.table_name)
    promos = PromoCodeRepository(dynamodb, settings.table_name)
    signer = Signer(str(parameters.get_secret(settings.signing_secret_name, max_age=300)))
    composer = Composer(signer, settings.public_base_url, promo_lookup=promos.get)
    return repository, SesMailer(boto3.client("sesv2"), settings.configuration_set), composer


# ---------------------------------------------------------------- templates (admin)
class TemplateList(BaseModel):
    templates: list[MailTemplate]


@app.get("/v1/admin/properties/<property_id>/mail-templates", tags=["E-mails"],
         summary="Lifecycle e-mail templates (Revenir's defaults until the host edits them)")
def list_templates(property_id: PropertyId) -> TemplateList:
    context = wiring()[0].property_context(property_id)
    return TemplateList(templates=list(effective_templates(context.templates).values()))


def _template(property_id: str, template_id: str) -> tuple[MailTemplate, Any]:
    context = wiring()[0].property_context(property_id)
    template = effective_templates(context.templates).get(template_id)
    if template is None:
        raise NotFound(f"no template {template_id!r}", code="template_not_found")
    return template, context


@app.get("/v1/admin/properties/<property_id>/mail-templates/<template_id>", tags=["E-mails"],
         summary="Read a template")
def get_template(property_id: PropertyId, template_id: TemplateId) -> MailTemplate:
    return _template(property_id, template_id)[0]


@app.put("/v1/admin/properties/<property_id>/mail-templates/<template_id>", tags=["E-mails"],
         summary="Create a custom template, or edit a default (stored as the property's own copy)")
def put_template(property_id: PropertyId, template_id: TemplateId,
                 body: Annotated[MailTemplateInput, Body()]) -> MailTemplate:
    for content in [*body.versions.values(), *(v for variant in body.variants for v in variant.versions.values())]:
        rendering.check(content.mail())  # a syntax error is the host's: 400 template_error
    template = MailTemplate(template_id=template_id, customized=True, updated_at=clock.iso(clock.now()),
                            **body.model_dump())
    wiring()[0].save_template(property_id, template_id, template.model_dump(mode="json"))
    return template


@app.delete("/v1/admin/properties/<property_id>/mail-templates/<template_id>", tags=["E-mails"],
            summary="Delete a custom template, or go back to Revenir's default")
def delete_template(property_id: PropertyId, template_id: TemplateId) -> Response[None]:
    wiring()[0].delete_template(property_id, template_id)
    return Response(status_code=204)


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


def _sample_booking(property_id: str, context: Any) -> Booking:
    today = clock.local_today(context.property_item["time_zone"])
    offers = list(context.offers)[:1]
    return Booking(booking_id="SAMPLE-0001", property_id=property_id, first_name="Martin", last_name="Dupont",
                   email="martin.dupont@example.com", arrival=today + timedelta(days=14),
                   departure=today + timedelta(days=16), adults=2, children=1, offer_ids=offers,
                   created_at=clock.iso(clock.now()), updated_at=clock.iso(clock.now()))


def _render(property_id: str, template_id: str, request: PreviewRequest, recipient: str | None = None
            ) -> tuple[bytes, str, RenderedMail]:
    template, context = _template(property_id, template_id)
    repository, _, composer = wiring()
    booking: Booking
    if request.booking_id:
        item = repository.get_booking(property_id, request.booking_id)
        if item is None:
            raise NotFound(f"no booking {request.booking_id!r}", code="booking_not_found")
        booking = Booking.model_validate(item)
    else:
        booking = _sample_booking(property_id, context)
    return composer.compose(context, template, booking, None, False, recipient=recipient, language=request.language)


@app.post("/v1/admin/properties/<property_id>/mail-templates/<template_id>/preview", tags=["E-mails"],
          summary="Render a template for a booking (or a sample stay) in a language")
def preview_template(property_id: PropertyId, template_id: TemplateId,
                     body: Annotated[PreviewRequest, Body()]) -> Preview:
    _, language, rendered = _render(property_id, template_id, body)
    return Preview(language=language, subject=rendered.subject, html=rendered.html, text=rendered.text)


@app.post("/v1/admin/properties/<property_id>/mail-templates/<template_id>/test-send", tags=["E-mails"],
          summary="Send the rendered template to any address (subject prefixed [TEST])")
def test_send(property_id: PropertyId, template_id: TemplateId,
              body: Annotated[TestSendRequest, Body()]) -> dict[str, str]:
    _, context = _template(property_id, template_id)
    raw, language, rendered = _render(property_id, template_id, body, recipient=body.email)
    raw = raw.replace(b"Subject: ", b"Subject: [TEST] ", 1)
    message_id = wiring()[1].send(context.property_item["sender_email"], body.email, raw)
    return {"message_id": message_id, "language": language, "subject": "[TEST] " + rendered.subject}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# ---------------------------------------------------------------- the dispatcher (EventBridge Scheduler)
@logger.inject_lambda_context
@metrics.log_metrics
def dispatch_due_mail(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Every minute: send the e-mails now due, each exactly once."""
    repository, mailer, composer = wiring()
    report = Dispatcher(repository, mailer, composer).tick()
    for name in ("sent", "suppressed", "failed", "retried", "cancelled"):
        value = getattr(report, name)
        if value:
            metrics.add_metric(name=f"Emails{name.capitalize()}", unit=MetricUnit.Count, value=value)
    logger.info("dispatch tick", extra={"read": report.read, "sent": report.sent, "failed": report.failed})
    return {"read": report.read, "claimed": report.claimed, "sent": report.sent, "suppressed": report.suppressed,
            "cancelled": report.cancelled, "retried": report.retried, "failed": report.failed}


# ---------------------------------------------------------------- SES bounce and complaint events (EventBridge)
@event_source(data_class=EventBridgeEvent)
@logger.inject_lambda_context
def handle_ses_event(event: EventBridgeEvent, context: LambdaContext) -> dict[str, int]:
    """A permanent bounce or a complaint suppresses the address for every property."""
    detail = event.detail or {}
    kind = str(detail.get("eventType", "")).lower()
    recipients: list[str] = []
    if kind == "bounce" and detail.get("bounce", {}).get("bounceType") == "Permanent":
        recipients = [r["emailAddress"] for r in detail["bounce"].get("bouncedRecipients", [])]
        reason = "bounced"
    elif kind == "complaint":
        recipients = [r["emailAddress"] for r in detail.get("complaint", {}).get("complainedRecipients", [])]
        reason = "complained"
    repository = wiring()[0]
    for address in recipients:
        repository.suppress(address.strip().lower(), reason, clock.iso(clock.now()), detail.get("mail", {}).get(
            "messageId"))
    return {"suppressed": len(recipients)}


__all__ = ["DEFAULTS", "Content"]
