"""The host's webhook endpoints (subscribe, change, disable/enable, delete), their delivery log and replays.

A replay goes through the delivery queue (the `Replays` port), like the first attempt: the API never calls a
host's endpoint itself.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import timedelta
from typing import Any, Protocol

from revenir.core import clock, ids
from revenir.core.errors import Conflict, InvalidInput
from revenir.webhooks.models import Delivery, Endpoint, EndpointCreated, EndpointInput, EndpointUpdate, check_url
from revenir.webhooks.store import WebhookRepository


class Replays(Protocol):
    def send(self, message: dict[str, Any]) -> None: ...


class QueueReplays:
    """Replays through the delivery queue (an SQS client, injected by the handler)."""

    def __init__(self, client: Any, queue_url: str):
        self.client, self.queue_url = client, queue_url

    def send(self, message: dict[str, Any]) -> None:
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(message))


#: After a rotation, the previous secret signs too for this long.
ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    """A Standard Webhooks signing secret: whsec_ + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _endpoint(item: dict[str, Any]) -> Endpoint:
    return Endpoint.model_validate(item)


class WebhookAdmin:
    def __init__(self, repository: WebhookRepository, replays: Replays | None = None,
                 local_hosts: frozenset[str] = frozenset()):
        self.repository = repository
        self.replays = replays
        self.local_hosts = local_hosts

    def create(self, property_id: str, body: EndpointInput) -> EndpointCreated:
        reason = check_url(body.url, self.local_hosts)
        if reason:
            raise InvalidInput(reason, code="invalid_webhook_url", details=[{"field": "body.url"}])
        now = clock.iso(clock.now())
        item = {"id": ids.new_id("we"), "url": body.url, "event_types": body.event_types,
                "description": body.description, "enabled": True, "secret": new_secret(), "created_at": now,
                "updated_at": now}
        self.repository.create_endpoint(property_id, {k: v for k, v in item.items() if v is not None})
        return EndpointCreated.model_validate(item)

    def endpoints(self, property_id: str) -> list[Endpoint]:
        return [_endpoint(i) for i in self.repository.endpoints(property_id)]

    def get(self, property_id: str, endpoint_id: str) -> Endpoint:
        return _endpoint(self.repository.endpoint(property_id, endpoint_id))

    def update(self, property_id: str, endpoint_id: str, patch: EndpointUpdate) -> Endpoint:
        changes = patch.model_dump(exclude_unset=True, exclude_none=True)
        changes["updated_at"] = clock.iso(clock.now())
        return _endpoint(self.repository.update_endpoint(property_id, endpoint_id, changes))

    def rotate_secret(self, property_id: str, endpoint_id: str) -> EndpointCreated:
        """A new signing secret, shown once. For ROTATION_OVERLAP the previous one also signs every request (a
        second signature in webhook-signature, as Standard Webhooks allows), so the receiver can switch secrets
        without losing a delivery."""
        old = self.repository.endpoint(property_id, endpoint_id)
        now = clock.now()
        changes = {"secret": new_secret(), "previous_secret": old["secret"],
                   "previous_secret_until": clock.iso(now + ROTATION_OVERLAP), "updated_at": clock.iso(now)}
        item = self.repository.update_endpoint(property_id, endpoint_id, changes, expected_secret=old["secret"])
        return EndpointCreated.model_validate(item)

    def delete(self, property_id: str, endpoint_id: str) -> None:
        self.repository.endpoint(property_id, endpoint_id)
        self.repository.delete_endpoint(property_id, endpoint_id)

    def deliveries(self, property_id: str, endpoint_id: str, limit: int, cursor: str | None,
                   status: str | None) -> tuple[list[Delivery], str | None]:
        self.repository.endpoint(property_id, endpoint_id)
        items, next_cursor = self.repository.deliveries(property_id, endpoint_id, limit, cursor, status)
        return [Delivery.model_validate(i) for i in items], next_cursor

    def delivery(self, property_id: str, endpoint_id: str, delivery_id: str) -> Delivery:
        return Delivery.model_validate(self.repository.delivery(property_id, endpoint_id, delivery_id))

    def replay(self, property_id: str, endpoint_id: str, delivery_id: str) -> Delivery:
        """Deliver again (a dead delivery, or a delivered one the receiver lost): a fresh round of attempts."""
        endpoint = self.repository.endpoint(property_id, endpoint_id)
        if not endpoint.get("enabled"):
            raise Conflict("this endpoint is disabled: enable it first", code="webhook_endpoint_disabled")
        if self.replays is None:
            raise RuntimeError("no replay queue configured")
        item = self.repository.reset_for_replay(property_id, endpoint_id, delivery_id, clock.now())
        self.replays.send({"replay": {"property_id": property_id, "endpoint_id": endpoint_id,
                                      "delivery_id": delivery_id}})
        return Delivery.model_validate(item)


__all__ = ["QueueReplays", "Replays", "WebhookAdmin", "new_secret"]
