"""Webhook endpoints of a property (the host's admin API): subscribe, change, disable/enable, delete, the
delivery log and replays. Thin: parse, call revenir.webhooks.service, shape. Deliveries: deliver.py.
"""

from __future__ import annotations

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from revenir.core.settings import TableSettings, load
from revenir.core.wiring import dependency
from revenir.http.app import create_app, json_response
from revenir.http.params import PropertyId
from revenir.webhooks.models import Delivery, DeliveryStatus, Endpoint, EndpointCreated, EndpointInput, EndpointUpdate
from revenir.webhooks.service import QueueReplays, WebhookAdmin
from revenir.webhooks.store import WebhookRepository

logger = Logger(service="webhooks")
app = create_app()

EndpointId = Annotated[str, Path(pattern=r"^we_[0-9a-z]{26}$", description="Webhook endpoint id.")]
DeliveryId = Annotated[str, Path(pattern=r"^evt_[0-9a-z]{26}$", description="Delivery id (the event id).")]


class WebhookSettings(TableSettings):
    queue_url: str = Field(alias="WEBHOOK_QUEUE_URL", min_length=1)
    local_hosts: str = Field(default="", alias="WEBHOOK_LOCAL_HOSTS")


@dependency
def admin() -> WebhookAdmin:
    settings = load(WebhookSettings)
    hosts = frozenset(h.strip().lower() for h in settings.local_hosts.split(",") if h.strip())
    return WebhookAdmin(WebhookRepository(boto3.client("dynamodb"), settings.table_name),
                        QueueReplays(boto3.client("sqs"), settings.queue_url), hosts)


class EndpointList(BaseModel):
    endpoints: list[Endpoint]


class DeliveryPage(BaseModel):
    deliveries: list[Delivery]
    next_cursor: str | None = None


BASE = "/v1/admin/properties/<property_id>/webhooks"


@app.post(BASE, tags=["Webhooks"], summary="Subscribe an HTTPS endpoint to event types",
          responses={201: {"description": "Created; the signing secret is shown this once"},
                     409: {"description": "too_many_endpoints"}})
def create_webhook(property_id: PropertyId, body: Annotated[EndpointInput, Body()]) -> Response[EndpointCreated]:
    return json_response(201, admin().create(property_id, body))


@app.get(BASE, tags=["Webhooks"], summary="The property's webhook endpoints")
def list_webhooks(property_id: PropertyId) -> EndpointList:
    return EndpointList(endpoints=admin().endpoints(property_id))


@app.get(BASE + "/<endpoint_id>", tags=["Webhooks"], summary="Read a webhook endpoint")
def get_webhook(property_id: PropertyId, endpoint_id: EndpointId) -> Endpoint:
    return admin().get(property_id, endpoint_id)


@app.patch(BASE + "/<endpoint_id>", tags=["Webhooks"],
           summary="Change an endpoint's event types or description, disable or enable it")
def update_webhook(property_id: PropertyId, endpoint_id: EndpointId,
                   body: Annotated[EndpointUpdate, Body()]) -> Endpoint:
    return admin().update(property_id, endpoint_id, body)


@app.post(BASE + "/<endpoint_id>/rotate-secret", tags=["Webhooks"],
          summary="A new signing secret, shown once; the previous one also signs for 24 hours",
          responses={200: {"description": "The endpoint with its new secret"},
                     409: {"description": "concurrent_change"}})
def rotate_webhook_secret(property_id: PropertyId, endpoint_id: EndpointId) -> EndpointCreated:
    return admin().rotate_secret(property_id, endpoint_id)


@app.delete(BASE + "/<endpoint_id>", tags=["Webhooks"], summary="Delete an endpoint (its log expires)")
def delete_webhook(property_id: PropertyId, endpoint_id: EndpointId) -> Response[None]:
    admin().delete(property_id, endpoint_id)
    return Response(status_code=204)


@app.get(BASE + "/<endpoint_id>/deliveries", tags=["Webhooks"],
         summary="The endpoint's delivery log, newest first (attempts, status codes, latency, last error)")
def list_webhook_deliveries(property_id: PropertyId, endpoint_id: EndpointId,
                            limit: Annotated[int, Query(ge=1, le=100)] = 50,
                            cursor: Annotated[str | None, Query(max_length=2000)] = None,
                            status: Annotated[DeliveryStatus | None, Query()] = None) -> DeliveryPage:
    deliveries, next_cursor = admin().deliveries(property_id, endpoint_id, limit, cursor, status)
    return DeliveryPage(deliveries=deliveries, next_cursor=next_cursor)


@app.get(BASE + "/<endpoint_id>/deliveries/<delivery_id>", tags=["Webhooks"], summary="One delivery")
def get_webhook_delivery(property_id: PropertyId, endpoint_id: EndpointId, delivery_id: DeliveryId) -> Delivery:
    return admin().delivery(property_id, endpoint_id, delivery_id)


@app.post(BASE + "/<endpoint_id>/deliveries/<delivery_id>/replay", tags=["Webhooks"],
          summary="Deliver again (also a dead delivery): a fresh round of attempts",
          responses={202: {"description": "Queued"},
                     409: {"description": "webhook_endpoint_disabled, webhook_delivery_erased"}})
def replay_webhook_delivery(property_id: PropertyId, endpoint_id: EndpointId,
                            delivery_id: DeliveryId) -> Response[Delivery]:
    return json_response(202, admin().replay(property_id, endpoint_id, delivery_id))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
