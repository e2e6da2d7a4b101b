"""Promotional campaigns (admin): write, count the audience, preview, test-send, schedule or send now, cancel,
figures; and the planner (SQS: a due campaign's recipients onto the send queue). Wiring only: parse, one call
into revenir.campaigns, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from revenir.campaigns.composing import CampaignComposer
from revenir.campaigns.models import (
    Audience,
    AudienceCount,
    Campaign,
    CampaignInput,
    CampaignList,
    CampaignPatch,
    CampaignTestSend,
    Figures,
    ScheduleRequest,
)
from revenir.campaigns.planner import Planner
from revenir.campaigns.service import CampaignService
from revenir.campaigns.store import CampaignStore
from revenir.codes.models import GuestLanguage
from revenir.codes.service import PromoCodeAdmin
from revenir.codes.store import PromoCodeRepository
from revenir.core.settings import EnvironmentSettings, SigningSettings, TableSettings, load
from revenir.core.signing import Signer
from revenir.core.wiring import dependency
from revenir.guests.store import GuestRepository
from revenir.http.app import create_app, json_response
from revenir.http.params import PropertyId
from revenir.mail.queue import SendQueue
from revenir.mail.sender import SesMailer

logger = Logger(service="campaigns")
metrics = Metrics(namespace="Revenir", service="campaigns")
app = create_app()

CampaignId = Annotated[str, Path(pattern=r"^cp_[0-9a-z]{26}$")]


class ComposerSettings(SigningSettings):
    public_base_url: str = Field(alias="PUBLIC_BASE_URL", pattern=r"^https?://")


class SesSettings(EnvironmentSettings):
    configuration_set: str | None = Field(default=None, alias="MAIL_CONFIGURATION_SET")


class SendQueueSettings(EnvironmentSettings):
    queue_url: str = Field(alias="MAIL_SEND_QUEUE_URL", min_length=1)


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


@dependency
def store() -> CampaignStore:
    return CampaignStore(_dynamodb(), load(TableSettings).table_name)


@dependency
def guests() -> GuestRepository:
    return GuestRepository(_dynamodb(), load(TableSettings).table_name)


@dependency
def promos() -> PromoCodeAdmin:
    return PromoCodeAdmin(PromoCodeRepository(_dynamodb(), load(TableSettings).table_name))


@dependency
def service() -> CampaignService:
    return CampaignService(store(), guests(), promos())


@dependency
def composer() -> CampaignComposer:
    settings = load(ComposerSettings)
    return CampaignComposer(Signer(str(parameters.get_secret(settings.signing_secret_name, max_age=300))),
                            settings.public_base_url)


@dependency
def mailer() -> SesMailer:
    return SesMailer(boto3.client("sesv2"), load(SesSettings).configuration_set)


@dependency
def planner() -> Planner:
    return Planner(store(), guests(), promos(), SendQueue(boto3.client("sqs"), load(SendQueueSettings).queue_url))


# ---------------------------------------------------------------- routes (admin)
class CampaignPreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: GuestLanguage | None = None


class CampaignPreview(BaseModel):
    language: str
    subject: str
    html: str
    text: str


class TestSent(BaseModel):
    message_id: str
    language: str
    subject: str


@app.get("/v1/admin/properties/<property_id>/campaigns", tags=["Campaigns"], summary="The property's campaigns")
def list_campaigns(property_id: PropertyId) -> CampaignList:
    return CampaignList(campaigns=service().list(property_id))


@app.post("/v1/admin/properties/<property_id>/campaigns", tags=["Campaigns"],
          summary="Write a campaign (a draft): texts per language, audience, promo code")
def create_campaign(property_id: PropertyId, body: Annotated[CampaignInput, Body()]) -> Response[Campaign]:
    return json_response(201, service().create(property_id, body))


@app.get("/v1/admin/properties/<property_id>/campaigns/variables", tags=["Campaigns"],
         summary="The variables a campaign's texts can use, with examples")
def campaign_variables(property_id: PropertyId) -> dict[str, str]:
    return service().variables()


@app.post("/v1/admin/properties/<property_id>/campaigns/audience-count", tags=["Campaigns"],
          summary="How many guests an audience reaches now, and how many the marketing rules leave out (per reason)")
def count_audience(property_id: PropertyId, body: Annotated[Audience, Body()]) -> AudienceCount:
    return service().count(property_id, body)


@app.get("/v1/admin/properties/<property_id>/campaigns/<campaign_id>", tags=["Campaigns"], summary="Read a campaign")
def get_campaign(property_id: PropertyId, campaign_id: CampaignId) -> Campaign:
    return service().get(property_id, campaign_id)


@app.patch("/v1/admin/properties/<property_id>/campaigns/<campaign_id>", tags=["Campaigns"],
           summary="Edit a draft or scheduled campaign; 409 when `revision` is stale or it is being sent")
def patch_campaign(property_id: PropertyId, campaign_id: CampaignId,
                   body: Annotated[CampaignPatch, Body()]) -> Campaign:
    return service().patch(property_id, campaign_id, body)


@app.post("/v1/admin/properties/<property_id>/campaigns/<campaign_id>/preview", tags=["Campaigns"],
          summary="Render the campaign for a sample guest in a language")
def preview_campaign(property_id: PropertyId, campaign_id: CampaignId,
                     body: Annotated[CampaignPreviewRequest, Body()]) -> CampaignPreview:
    return CampaignPreview(**service().preview(composer(), property_id, campaign_id, body.language))


@app.post("/v1/admin/properties/<property_id>/campaigns/<campaign_id>/test-send", tags=["Campaigns"],
          summary="Send it (subject prefixed [TEST]) to the property's contact address or your own verified "
                  "e-mail (403 test_recipient_not_allowed otherwise)",
          responses={200: {"description": "Sent"}, 403: {"description": "test_recipient_not_allowed"}})
def test_send_campaign(property_id: PropertyId, campaign_id: CampaignId,
                       body: Annotated[CampaignTestSend, Body()]) -> TestSent:
    authorizer = app.current_event.request_context.authorizer
    claims = (authorizer.jwt_claim if authorizer else None) or {}
    verified = str(claims.get("email_verified", "true")).lower() != "false"
    caller = str(claims["email"]) if claims.get("email") and verified else None
    sent = service().test_send(composer(), mailer(), property_id, campaign_id, body, caller)
    logger.info("campaign test send", extra={"property_id": property_id, "campaign_id": campaign_id,
                                             "to": body.email, "sub": claims.get("sub")})
    return TestSent(**sent)


@app.post("/v1/admin/properties/<property_id>/campaigns/<campaign_id>/schedule", tags=["Campaigns"],
          summary="Send at `send_at`, or now when it is empty (the dispatcher starts it within a minute)")
def schedule_campaign(property_id: PropertyId, campaign_id: CampaignId,
                      body: Annotated[ScheduleRequest, Body()]) -> Campaign:
    return service().schedule(property_id, campaign_id, body)


@app.post("/v1/admin/properties/<property_id>/campaigns/<campaign_id>/cancel", tags=["Campaigns"],
          summary="Stop a campaign: what is not sent yet never goes")
def cancel_campaign(property_id: PropertyId, campaign_id: CampaignId) -> Campaign:
    return service().cancel(property_id, campaign_id)


@app.get("/v1/admin/properties/<property_id>/campaigns/<campaign_id>/figures", tags=["Campaigns"],
         summary="Recipients, sent, bounced, complained, unsubscribed, codes redeemed and their revenue")
def campaign_figures(property_id: PropertyId, campaign_id: CampaignId) -> Figures:
    return service().figures(property_id, campaign_id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# ---------------------------------------------------------------- the planner (SQS, one campaign per record)
_plans = BatchProcessor(event_type=EventType.SQS)


def _plan(record: SQSRecord) -> dict[str, Any]:
    body = record.json_body
    result = planner().plan(str(body["p"]), str(body["c"]))
    logger.info("campaign planned", extra={"property_id": body["p"], "campaign_id": body["c"], **result})
    return result


@logger.inject_lambda_context
def plan_campaigns(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """A due campaign's recipients onto the send queue (resumable: a redelivery continues where it stopped)."""
    return process_partial_response(event=event, record_handler=_plan, processor=_plans, context=context)
