"""E-mailing tools (Brevo, Mailchimp, Mailjet): the host connects a tool, picks its list, maps the fields, tests
it, reads the sync status and asks for a full resync (admin); the tool's webhook reports unsubscribes and bounces
(public, verified by the token in its URL). docs/emailing-tools.md."""

from __future__ import annotations

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.core.errors import InvalidInput
from revenir.core.settings import EnvironmentSettings, TableSettings, load
from revenir.core.signing import Signer
from revenir.core.wiring import dependency
from revenir.guests.store import GuestRepository
from revenir.http.app import create_app, json_response
from revenir.http.params import PropertyId
from revenir.mailing import webhooks
from revenir.mailing.models import (
    ConnectInput,
    MailingTool,
    ResyncAccepted,
    SettingsInput,
    TestResult,
    ToolLists,
    WebhookReport,
)
from revenir.mailing.service import MailingService, webhook_token
from revenir.mailing.store import MailingRepository, ResyncQueue, SecretVault

logger = Logger(service="mailing")
metrics = Metrics(namespace="Revenir", service="mailing")
app = create_app()

ProviderName = Annotated[str, Path(pattern=r"^(brevo|mailchimp|mailjet)$", description="brevo, mailchimp or mailjet")]
HookToken = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$", description="The webhook's secret token.")]


class ToolBases(EnvironmentSettings):
    """The tools' API base URLs (production in template.yaml; the local fakes in `make run` and the tests)."""

    brevo: str = Field(alias="BREVO_API_BASE", pattern=r"^https?://")
    mailchimp: str = Field(alias="MAILCHIMP_API_BASE", pattern=r"^https?://")
    mailjet: str = Field(alias="MAILJET_API_BASE", pattern=r"^https?://")


class MailingApiSettings(TableSettings):
    secret_prefix: str = Field(alias="MAILING_SECRET_PREFIX", min_length=1)
    resync_queue_url: str = Field(alias="MAILING_RESYNC_QUEUE_URL", min_length=1)
    signing_secret_name: str = Field(alias="SIGNING_SECRET_NAME", min_length=1)
    public_base_url: str = Field(alias="PUBLIC_BASE_URL", pattern=r"^https?://")


@dependency
def service() -> MailingService:
    settings = load(MailingApiSettings)
    client = boto3.client("dynamodb")
    return MailingService(MailingRepository(client, settings.table_name), GuestRepository(client, settings.table_name),
                          SecretVault(boto3.client("secretsmanager"), settings.secret_prefix),
                          load(ToolBases).model_dump(),
                          enqueue=ResyncQueue(boto3.client("sqs"), settings.resync_queue_url))


@dependency
def signer() -> Signer:
    return Signer(str(parameters.get_secret(load(MailingApiSettings).signing_secret_name, max_age=300)))


def webhook_url(property_id: str, provider: str) -> str:
    base = load(MailingApiSettings).public_base_url.rstrip("/")
    token = webhook_token(signer(), property_id, provider)
    return f"{base}/v1/properties/{property_id}/mailing/webhooks/{provider}/{token}"


# ---------------------------------------------------------------- admin
@app.get("/v1/admin/properties/<property_id>/mailing", tags=["E-mailing tools"],
         summary="The e-mailing tool: provider, key hint (never the key), list, field mapping, webhook URL "
                 "and sync status (connected: false when none is)")
def get_mailing_tool(property_id: PropertyId) -> MailingTool:
    return service().view(property_id, webhook_url)


@app.put("/v1/admin/properties/<property_id>/mailing", tags=["E-mailing tools"],
         summary="Connect Brevo, Mailchimp or Mailjet: the key is tested, then kept in Secrets Manager")
def connect_mailing_tool(property_id: PropertyId, body: Annotated[ConnectInput, Body()]) -> MailingTool:
    tool = service().connect(property_id, body, webhook_url)
    metrics.add_metric(name="MailingToolsConnected", unit=MetricUnit.Count, value=1)
    return tool


@app.delete("/v1/admin/properties/<property_id>/mailing", tags=["E-mailing tools"],
            summary="Disconnect the tool (its key is deleted; contacts stay at the tool)",
            responses={204: {"description": "Disconnected"}})
def disconnect_mailing_tool(property_id: PropertyId) -> Response[None]:
    service().disconnect(property_id)
    return Response(status_code=204)


@app.get("/v1/admin/properties/<property_id>/mailing/lists", tags=["E-mailing tools"],
         summary="The tool's lists (Brevo lists, Mailchimp audiences, Mailjet contact lists)")
def list_mailing_lists(property_id: PropertyId) -> ToolLists:
    return service().lists(property_id)


@app.put("/v1/admin/properties/<property_id>/mailing/settings", tags=["E-mailing tools"],
         summary="The list the guests go to, and the field mapping (first name, last name, language, last stay, "
                 "number of stays, segments)")
def configure_mailing_tool(property_id: PropertyId, body: Annotated[SettingsInput, Body()]) -> MailingTool:
    return service().configure(property_id, body, webhook_url)


@app.post("/v1/admin/properties/<property_id>/mailing/test", tags=["E-mailing tools"],
          summary="Test the connection (the tool answers with its account name, or the error)")
def test_mailing_tool(property_id: PropertyId) -> TestResult:
    return service().test(property_id)


@app.post("/v1/admin/properties/<property_id>/mailing/resync", tags=["E-mailing tools"],
          summary="Send every consenting guest to the tool again (page by page through a queue; idempotent)",
          responses={202: {"description": "Started"}})
def resync_mailing_tool(property_id: PropertyId) -> Response[ResyncAccepted]:
    started = service().start_resync(property_id)
    return json_response(202, ResyncAccepted(started_at=started))


# ---------------------------------------------------------------- the tool's webhook (public, token in the URL)
@app.get("/v1/properties/<property_id>/mailing/webhooks/<provider>/<token>", tags=["E-mailing tools"],
         summary="Mailchimp checks a webhook URL with a GET before saving it: 200 when the token is right")
def check_mailing_webhook(property_id: PropertyId, provider: ProviderName, token: HookToken) -> WebhookReport:
    return WebhookReport.model_validate(service().webhook(signer(), property_id, provider, token, []))


@app.post("/v1/properties/<property_id>/mailing/webhooks/<provider>/<token>", tags=["E-mailing tools"],
          summary="The tool reports unsubscribes, hard bounces and complaints: the guests are unsubscribed")
def mailing_webhook(property_id: PropertyId, provider: ProviderName, token: HookToken) -> WebhookReport:
    event = app.current_event
    try:
        events = webhooks.parse(provider, event.decoded_body or "", event.headers.get("content-type") or "")
    except ValueError as exc:
        raise InvalidInput(f"not a {provider} webhook: {exc}", code="invalid_webhook") from exc
    report = service().webhook(signer(), property_id, provider, token, events)
    if report["unsubscribed"]:
        metrics.add_metric(name="MailingUnsubscribes", unit=MetricUnit.Count, value=report["unsubscribed"])
    return WebhookReport.model_validate(report)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
