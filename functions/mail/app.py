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
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from revenir.campaigns.composing import CampaignComposer
from revenir.campaigns.planner import Planner
from revenir.campaigns.sending import CampaignSender, Retry, record_ses_event
from revenir.campaigns.store import CampaignStore
from revenir.codes.service import PromoCodeAdmin
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
from revenir.mail.pacing import PacedMailer, Pacer, SendRate
from revenir.mail.queue import SendQueue
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


class SendQueueSettings(EnvironmentSettings):
    """The send queue (lifecycle and campaign e-mails) and the campaigns' planning queue; empty: the tick sends
    the lifecycle e-mails itself (the in-process benches)."""

    send_queue_url: str | None = Field(default=None, alias="MAIL_SEND_QUEUE_URL")
    plan_queue_url: str | None = Field(default=None, alias="CAMPAIGN_PLAN_QUEUE_URL")


class PacingSettings(EnvironmentSettings):
    """The send consumer's share of the SES account's rate: 1 / its ScalingConfig.MaximumConcurrency."""

    concurrency: int = Field(alias="MAIL_SEND_CONCURRENCY", ge=1, le=1000)


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


@dependency
def campaign_store() -> CampaignStore:
    return CampaignStore(_dynamodb(), load(TableSettings).table_name)


@dependency
def _sqs() -> Any:
    return boto3.client("sqs")


@dependency
def paced_mailer() -> PacedMailer:
    """SES at the account's rate (GetAccount, cached 5 minutes), this consumer's share of it."""
    pacer = Pacer(SendRate(boto3.client("sesv2")), 1 / load(PacingSettings).concurrency)
    return PacedMailer(mailer(), pacer)


@dependency
def _promos() -> PromoCodeAdmin:
    return PromoCodeAdmin(PromoCodeRepository(_dynamodb(), load(TableSettings).table_name))


class BatchSenders:
    """One batch's senders: the properties' and campaigns' contexts are read once per batch, never kept longer
    (a template or a campaign edited meanwhile applies to the next batch); the pacer outlives them."""

    def __init__(self) -> None:
        self.lifecycle = Dispatcher(repository(), paced_mailer(), composer())
        self.campaigns = CampaignSender(campaign_store(), repository(), _promos(), paced_mailer(),
                                        CampaignComposer(composer().signer, composer().base_url))


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
    """Every minute: hand the e-mails now due to the send queue (each exactly once) and the campaigns now due to
    the planning queue. Without a send queue (MAIL_SEND_QUEUE_URL empty), it sends them itself."""
    queues_ = load(SendQueueSettings)
    started = 0
    if queues_.plan_queue_url:
        plan_queue = SendQueue(_sqs(), queues_.plan_queue_url)
        promos = PromoCodeAdmin(PromoCodeRepository(_dynamodb(), load(TableSettings).table_name))
        started = Planner(campaign_store(), repository(), promos).start_due(plan_queue)
    dispatcher = Dispatcher(repository(), mailer(), composer())
    if queues_.send_queue_url:
        report = dispatcher.enqueue_due(SendQueue(_sqs(), queues_.send_queue_url))
    else:
        report = dispatcher.tick()
    if report.queued:
        metrics.add_metric(name="EmailsQueued", unit=MetricUnit.Count, value=report.queued)
    for name in ("sent", "suppressed", "failed", "retried", "cancelled"):
        value = getattr(report, name)
        if value:
            metrics.add_metric(name=f"Emails{name.capitalize()}", unit=MetricUnit.Count, value=value)
    logger.info("dispatch tick", extra={"read": report.read, "queued": report.queued, "sent": report.sent,
                                        "failed": report.failed, "campaigns_started": started})
    return {"read": report.read, "claimed": report.claimed, "sent": report.sent, "suppressed": report.suppressed,
            "cancelled": report.cancelled, "retried": report.retried, "failed": report.failed,
            "queued": report.queued, "campaigns_started": started}


# ---------------------------------------------------------------- the send queue's consumer (SQS, batches)
_sends = BatchProcessor(event_type=EventType.SQS)


def send_one(senders: BatchSenders, body: dict[str, Any]) -> str:
    """One e-mail: a lifecycle message or a campaign's recipient, each claimed before it is sent. A Retry (SES
    throttling, an outage) fails this record only: SQS redelivers it after the visibility timeout."""
    if body.get("kind") == "campaign":
        try:
            outcome = senders.campaigns.send(str(body["p"]), str(body["c"]), str(body["e"]))
        except Retry:
            metrics.add_metric(name="EmailsRetried", unit=MetricUnit.Count, value=1)
            raise
    else:
        report = senders.lifecycle.send_queued(body)
        outcome = next((o["status"] for o in report.outcomes), "duplicate")
    metrics.add_metric(name=f"Emails{outcome.capitalize()}", unit=MetricUnit.Count, value=1)
    return outcome


@logger.inject_lambda_context
@metrics.log_metrics
def send_mail(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """The send queue's batches (ReportBatchItemFailures: only the failed records come back)."""
    senders = BatchSenders()

    def record_handler(record: SQSRecord) -> str:
        return send_one(senders, record.json_body)

    return process_partial_response(event=event, record_handler=record_handler, processor=_sends, context=context)


# ---------------------------------------------------------------- SES bounce and complaint events (EventBridge)
@event_source(data_class=EventBridgeEvent)
@logger.inject_lambda_context
def handle_ses_event(event: EventBridgeEvent, context: LambdaContext) -> dict[str, int]:
    """A permanent bounce or a complaint suppresses the address for every property (and counts on the campaign
    its message belonged to)."""
    result = {"suppressed": suppress_from_ses_event(repository(), event.detail or {})}
    counted = record_ses_event(campaign_store(), event.detail or {})
    return result | ({"campaign_events": counted} if counted else {})

