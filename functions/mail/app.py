"""Lifecycle e-mails: templates (admin: edit, preview, test send), the scheduled dispatcher, and SES bounce and
complaint events. The only guest-data function allowed to send mail; it alone imports jinja2."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from revenir.codes.store import PromoCodeRepository
from revenir.core.settings import EnvironmentSettings, SigningSettings, TableSettings, load
from revenir.core.signing import Signer
from revenir.core.wiring import dependency
from revenir.guests.dispatch import Composer, Dispatcher
from revenir.guests.mail_problems import MailProblemLog, MailProblems
from revenir.guests.mail_templates import (
    MailTemplates,
    Preview,
    PreviewRequest,
    TestSendRequest,
    Variables,
    suppress_from_ses_event,
)
from revenir.guests.store import GuestRepository
from revenir.guests.templates import MailTemplate, MailTemplateInput, MailTemplatePatch
from revenir.http.app import create_app
from revenir.http.params import PropertyId
from revenir.mail.sender import SesMailer

logger = Logger(service="mail")
metrics = Metrics(namespace="Revenir", service="mail")
app = create_app()

TemplateKind = Literal["pre_stay", "post_stay", "custom", "cart_reminder"]
TemplateId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


class ComposerSettings(SigningSettings):
    public_base_url: str = Field(alias="PUBLIC_BASE_URL", pattern=r"^https?://")


class SesSettings(EnvironmentSettings):
    configuration_set: str | None = Field(default=None, alias="MAIL_CONFIGURATION_SET")


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


@dependency
def repository() -> GuestRepository:
    return GuestRepository(_dynamodb(), load(TableSettings).table_name)


@dependency
def templates() -> MailTemplates:
    return MailTemplates(repository())


@dependency
def composer() -> Composer:
    """Signed links (the signing secret) and promo codes for the e-mails' variables."""
    settings = load(ComposerSettings)
    promos = PromoCodeRepository(_dynamodb(), load(TableSettings).table_name)
    signer = Signer(str(parameters.get_secret(settings.signing_secret_name, max_age=300)))
    return Composer(signer, settings.public_base_url, promo_lookup=promos.get)


@dependency
def mailer() -> SesMailer:
    return SesMailer(boto3.client("sesv2"), load(SesSettings).configuration_set)


# ---------------------------------------------------------------- templates (admin)
class TemplateList(BaseModel):
    templates: list[MailTemplate]


@app.get("/v1/admin/properties/<property_id>/mail-templates", tags=["E-mails"],
         summary="Lifecycle e-mail templates (Revenir's defaults until the host edits them)")
def list_templates(property_id: PropertyId) -> TemplateList:
    return TemplateList(templates=templates().list(property_id))


@app.get("/v1/admin/properties/<property_id>/mail-templates/variables", tags=["E-mails"],
         summary="The variables a template of a kind can use, with examples for a sample stay")
def template_variables(property_id: PropertyId, kind: Annotated[TemplateKind, Query()] = "custom") -> Variables:
    return templates().variables(composer(), property_id, kind)


@app.get("/v1/admin/properties/<property_id>/mail-templates/<template_id>", tags=["E-mails"],
         summary="Read a template")
def get_template(property_id: PropertyId, template_id: TemplateId) -> MailTemplate:
    return templates().get(property_id, template_id)


@app.put("/v1/admin/properties/<property_id>/mail-templates/<template_id>", tags=["E-mails"],
         summary="Create a custom template, or edit a default (stored as the property's own copy)")
def put_template(property_id: PropertyId, template_id: TemplateId,
                 body: Annotated[MailTemplateInput, Body()]) -> MailTemplate:
    return templates().put(property_id, template_id, body)


@app.patch("/v1/admin/properties/<property_id>/mail-templates/<template_id>", tags=["E-mails"],
           summary="Edit part of a template (versions merged per language); 409 when `revision` is stale")
def patch_template(property_id: PropertyId, template_id: TemplateId,
                   body: Annotated[MailTemplatePatch, Body()]) -> MailTemplate:
    return templates().patch(property_id, template_id, body)


@app.delete("/v1/admin/properties/<property_id>/mail-templates/<template_id>", tags=["E-mails"],
            summary="Delete a custom template, or go back to Revenir's default")
def delete_template(property_id: PropertyId, template_id: TemplateId) -> Response[None]:
    templates().delete(property_id, template_id)
    return Response(status_code=204)


@app.post("/v1/admin/properties/<property_id>/mail-templates/<template_id>/preview", tags=["E-mails"],
          summary="Render a template for a booking (or a sample stay) in a language")
def preview_template(property_id: PropertyId, template_id: TemplateId,
                     body: Annotated[PreviewRequest, Body()]) -> Preview:
    return templates().preview(composer(), property_id, template_id, body)


@app.post("/v1/admin/properties/<property_id>/mail-templates/<template_id>/test-send", tags=["E-mails"],
          summary="Send the rendered template (subject prefixed [TEST]) to the property's contact address or the "
                  "caller's own verified e-mail (403 test_recipient_not_allowed otherwise); every send is logged",
          responses={200: {"description": "Sent"}, 403: {"description": "test_recipient_not_allowed"}})
def test_send(property_id: PropertyId, template_id: TemplateId,
              body: Annotated[TestSendRequest, Body()]) -> dict[str, str]:
    authorizer = app.current_event.request_context.authorizer
    claims = (authorizer.jwt_claim if authorizer else None) or {}
    verified = str(claims.get("email_verified", "true")).lower() != "false"  # API Gateway passes strings
    caller = str(claims["email"]) if claims.get("email") and verified else None
    log = {"property_id": property_id, "template_id": template_id, "to": body.email, "sub": claims.get("sub")}
    try:
        sent = templates().test_send(composer(), mailer(), property_id, template_id, body, caller)
    except Exception as exc:
        logger.warning("test send refused", extra={**log, "error": getattr(exc, "code", type(exc).__name__)})
        raise
    logger.info("test send", extra={**log, "message_id": sent["message_id"]})
    return sent


@app.get("/v1/admin/properties/<property_id>/mail-problems", tags=["E-mails"],
         summary="Mail that could not go: SES refusals (permanent, or transient after every retry) and templates "
                 "failing at send time, one line per reason with a count, most recent first")
def mail_problems(property_id: PropertyId) -> MailProblems:
    return MailProblemLog(repository()).list(property_id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# ---------------------------------------------------------------- the dispatcher (EventBridge Scheduler)
@logger.inject_lambda_context
@metrics.log_metrics
def dispatch_due_mail(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Every minute: send the e-mails now due, each exactly once."""
    report = Dispatcher(repository(), mailer(), composer()).tick()
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
    return {"suppressed": suppress_from_ses_event(repository(), event.detail or {})}

