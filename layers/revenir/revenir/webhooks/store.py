"""Webhook endpoints (in the property's partition) and their delivery log (one partition per endpoint)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from revenir.core import clock
from revenir.core.errors import Conflict, NotFound
from revenir.events.models import Event
from revenir.guests.gdpr import GuestRef
from revenir.table.dynamodb import (
    DynamoDBClient,
    Item,
    deserialize,
    error_code,
    key,
    query_all,
    serialize,
    values,
)
from revenir.webhooks import keys

#: A property may subscribe this many endpoints.
MAX_ENDPOINTS = 10
#: Attempts kept in a delivery's log.
LOG_LENGTH = 20
#: A delivery's log stays this long.
DELIVERY_RETENTION = timedelta(days=30)


def _cursor(last: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None


def _uncursor(cursor: str | None, pk: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        last = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if last["pk"]["S"] != pk or not str(last["sk"]["S"]).startswith("DELIVERY#"):
            raise ValueError("foreign cursor")
        return {"pk": {"S": pk}, "sk": {"S": str(last["sk"]["S"])}}
    except (ValueError, KeyError, TypeError) as exc:
        from revenir.core.errors import InvalidInput

        raise InvalidInput("invalid cursor", code="invalid_cursor", details=[{"field": "query.cursor"}]) from exc


class WebhookRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    # ------------------------------------------------------------------ endpoints
    def endpoints(self, property_id: str) -> list[Item]:
        return query_all(self._client, TableName=self._table, KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                         ExpressionAttributeValues=values(pk=keys.property_pk(property_id), p=keys.ENDPOINT_PREFIX))

    def endpoint(self, property_id: str, endpoint_id: str) -> Item:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.property_pk(property_id), keys.endpoint_sk(endpoint_id)),
            ConsistentRead=True).get("Item"))
        if item is None:
            raise NotFound(f"webhook endpoint {endpoint_id!r} does not exist", code="webhook_endpoint_not_found")
        return item

    def create_endpoint(self, property_id: str, item: Item) -> None:
        if len(self.endpoints(property_id)) >= MAX_ENDPOINTS:
            raise Conflict(f"a property may have {MAX_ENDPOINTS} webhook endpoints", code="too_many_endpoints")
        self._client.put_item(TableName=self._table, Item=serialize({
            "pk": keys.property_pk(property_id), "sk": keys.endpoint_sk(item["id"]), **item}),
            ConditionExpression="attribute_not_exists(pk)")

    def update_endpoint(self, property_id: str, endpoint_id: str, changes: dict[str, Any],
                        expected_secret: str | None = None) -> Item:
        """`expected_secret`: only if the secret is still that one (a rotation racing another is refused)."""
        names = {f"#{k}": k for k in changes}
        condition, extra = "attribute_exists(pk)", {}
        if expected_secret is not None:
            condition += " AND #current_secret = :expected_secret"
            names["#current_secret"] = "secret"  # noqa: S105 - an attribute name, not a password
            extra = {"expected_secret": expected_secret}
        try:
            result = self._client.update_item(
                TableName=self._table, Key=key(keys.property_pk(property_id), keys.endpoint_sk(endpoint_id)),
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
                ConditionExpression=condition, ExpressionAttributeNames=names,
                ExpressionAttributeValues=values(**changes, **extra), ReturnValues="ALL_NEW")
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                if expected_secret is not None:
                    raise Conflict("the secret was rotated meanwhile", code="concurrent_change") from exc
                raise NotFound(f"webhook endpoint {endpoint_id!r} does not exist",
                               code="webhook_endpoint_not_found") from exc
            raise
        return deserialize(result["Attributes"]) or {}

    def delete_endpoint(self, property_id: str, endpoint_id: str) -> None:
        self._client.delete_item(TableName=self._table,
                                 Key=key(keys.property_pk(property_id), keys.endpoint_sk(endpoint_id)))

    # ------------------------------------------------------------------ deliveries
    def start_delivery(self, endpoint_id: str, event: Event, now: datetime) -> Item:
        """The delivery of `event` to the endpoint, created once (a repeated event finds the existing one)."""
        item = {"pk": keys.delivery_pk(event.property_id, endpoint_id), "sk": keys.delivery_sk(event.id),
                "id": event.id, "endpoint_id": endpoint_id, "property_id": event.property_id,
                "event_type": event.type, "event": event.model_dump_json(), "status": "pending", "attempts": 0,
                "created_at": clock.iso(now), "log": [],
                "expires_at_epoch": int((now + DELIVERY_RETENTION).timestamp())}
        try:
            self._client.put_item(TableName=self._table, Item=serialize(item),
                                  ConditionExpression="attribute_not_exists(pk)",
                                  ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            old = deserialize(getattr(exc, "response", {}).get("Item"))
            return old or self.delivery(event.property_id, endpoint_id, event.id)
        return item

    def delivery(self, property_id: str, endpoint_id: str, delivery_id: str) -> Item:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.delivery_pk(property_id, endpoint_id), keys.delivery_sk(delivery_id)),
            ConsistentRead=True).get("Item"))
        if item is None:
            raise NotFound(f"delivery {delivery_id!r} does not exist", code="webhook_delivery_not_found")
        return item

    def record_attempt(self, delivery: Item, attempt: dict[str, Any], status: str,
                       next_attempt_at: str | None) -> Item:
        log = [*(delivery.get("log") or []), {k: v for k, v in attempt.items() if v is not None}][-LOG_LENGTH:]
        changes: dict[str, Any] = {
            "status": status, "attempts": int(delivery.get("attempts", 0)) + 1, "log": log,
            "last_attempt_at": attempt["at"], "last_status_code": attempt.get("status_code"),
            "last_latency_ms": attempt["latency_ms"], "last_error": attempt.get("error"),
            "next_attempt_at": next_attempt_at}
        if status == "delivered":
            changes["delivered_at"] = attempt["at"]
        sets = [f"#{k} = :{k}" for k, v in changes.items() if v is not None]
        removes = [f"#{k}" for k, v in changes.items() if v is None]
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        self._client.update_item(
            TableName=self._table, Key=key(delivery["pk"], delivery["sk"]), UpdateExpression=expression,
            ExpressionAttributeNames={f"#{k}": k for k in changes},
            ExpressionAttributeValues=values(**{k: v for k, v in changes.items() if v is not None}))
        return {**delivery, **changes}

    def reset_for_replay(self, property_id: str, endpoint_id: str, delivery_id: str, now: datetime) -> Item:
        """A replay starts a fresh round of attempts (the log keeps the previous ones)."""
        delivery = self.delivery(property_id, endpoint_id, delivery_id)
        if "event" not in delivery:
            raise Conflict("this delivery's event was erased with the guest's data: there is nothing to send",
                           code="webhook_delivery_erased")
        self._client.update_item(
            TableName=self._table, Key=key(delivery["pk"], delivery["sk"]),
            UpdateExpression="SET #s = :pending, attempts = :zero, replayed_at = :now",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values(pending="pending", zero=0, now=clock.iso(now)))
        return {**delivery, "status": "pending", "attempts": 0}

    def deliveries(self, property_id: str, endpoint_id: str, limit: int, cursor: str | None,
                   status: str | None = None) -> tuple[list[Item], str | None]:
        pk = keys.delivery_pk(property_id, endpoint_id)
        kwargs: dict[str, Any] = {
            "TableName": self._table, "KeyConditionExpression": "pk = :pk AND begins_with(sk, :p)",
            "ExpressionAttributeValues": values(pk=pk, p="DELIVERY#"), "ScanIndexForward": False, "Limit": limit}
        if status:
            kwargs |= {"FilterExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"}}
            kwargs["ExpressionAttributeValues"] |= values(s=status)
        start = _uncursor(cursor, pk)
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = self._client.query(**kwargs)
        return [deserialize(i) or {} for i in page.get("Items", [])], _cursor(page.get("LastEvaluatedKey"))

    # ------------------------------------------------------------------ GDPR (revenir.guests.gdpr)
    def _about(self, guest: GuestRef, projection: str, names: dict[str, str] | None = None) -> list[Item]:
        """Deliveries whose event names the guest's address, in every endpoint's log (30 days at most). A Query
        per endpoint with a filter: erasure and export are rare, and a delivery has no guest key to look up."""
        quoted = json.dumps(guest.email)  # as it appears in the event's JSON, quotes included: no partial match
        found: list[Item] = []
        for endpoint in self.endpoints(guest.property_id):
            found += query_all(
                self._client, TableName=self._table, KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                FilterExpression="contains(#event, :email)", ProjectionExpression=projection,
                ExpressionAttributeNames={"#event": "event", **(names or {})},
                ExpressionAttributeValues=values(pk=keys.delivery_pk(guest.property_id, endpoint["id"]),
                                                 p="DELIVERY#", email=quoted))
        return found

    def export_guest(self, guest: GuestRef) -> dict[str, Any]:
        """The events about the guest that were sent (or are being sent) to the property's webhook endpoints."""
        return {"webhook_deliveries": [
            {"endpoint_id": d["endpoint_id"], "event": json.loads(d["event"]), "status": d["status"],
             "created_at": d["created_at"]}
            for d in self._about(guest, "endpoint_id, #event, #s, created_at", {"#s": "status"})]}

    def erase_guest(self, guest: GuestRef) -> dict[str, int]:
        """The event leaves each delivery that names the guest (its id, type, status and attempt log stay for the
        host); a delivery still retrying is never sent again, and replaying it is refused."""
        erased = 0
        for delivery in self._about(guest, "pk, sk"):
            try:
                self._client.update_item(
                    TableName=self._table, Key=key(delivery["pk"], delivery["sk"]),
                    UpdateExpression="REMOVE #event SET erased_at = :now", ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeNames={"#event": "event"},
                    ExpressionAttributeValues=values(now=clock.iso(clock.now())))
                erased += 1
            except Exception as exc:
                if error_code(exc) != "ConditionalCheckFailedException":  # expired meanwhile
                    raise
        return {"webhook_deliveries": erased}


__all__ = ["MAX_ENDPOINTS", "WebhookRepository"]
