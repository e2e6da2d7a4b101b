"""Reviews, their aggregate counters, the property's review settings and the host-alert queue.

A review upsert is one TransactWriteItems: the review (conditional on its `version`, or on its absence), the
counters moved by the difference between the old and the new contribution (ADD), and, when due, the alert.
Two concurrent edits of the same review cannot both apply: the loser's version check fails, it re-reads and
finds nothing left to do — so the counters never double count.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from revenir.core.errors import InvalidInput
from revenir.events.outbox import outbox_put
from revenir.guests.gdpr import GuestRef
from revenir.guests.store import booking_key
from revenir.properties.store import property_key
from revenir.reviews import keys as rk
from revenir.reviews.models import ReviewRecord
from revenir.table import queues
from revenir.table.dynamodb import (
    DynamoDBClient,
    Item,
    batch_get,
    cancellation_codes,
    deserialize,
    error_code,
    key,
    public,
    serialize,
    to_attr,
    transact_write,
    values,
)


class WriteConflict(Exception):
    """The review changed (or appeared) between our read and our write."""

    def __init__(self, reasons: list[str]):
        super().__init__(", ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class ListFilters:
    source: str | None = None
    min_rating: int | None = None  # hundredths
    max_rating: int | None = None
    answered: bool | None = None
    created_from: str | None = None  # ISO instants (inclusive)
    created_to: str | None = None


class ReviewRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    # ------------------------------------------------------------------ reads
    def get(self, property_id: str, review_id: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(rk.review_pk(property_id, review_id), rk.REVIEW_SK),
            ConsistentRead=True).get("Item"))

    def meta(self, property_id: str) -> tuple[Item | None, Item | None]:
        """(settings, counters) of a property, in one Query."""
        page = self._client.query(TableName=self._table, KeyConditionExpression="pk = :pk", ConsistentRead=True,
                                  ExpressionAttributeValues=values(pk=rk.review_meta_pk(property_id)))
        found = {i["sk"]: i for i in (deserialize(raw) or {} for raw in page.get("Items", []))}
        return found.get(rk.SETTINGS_SK), found.get(rk.STATS_SK)

    def property_item(self, property_id: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=property_key(property_id)).get("Item"))

    def booking(self, property_id: str, booking_id: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=booking_key(property_id, booking_id),
            ConsistentRead=True).get("Item"))

    def latest(self, property_id: str, limit: int) -> list[Item]:
        page = self._client.query(
            TableName=self._table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=values(pk=rk.reviews_list_pk(property_id)), ScanIndexForward=False,
            Limit=limit)
        return [deserialize(raw) or {} for raw in page.get("Items", [])]

    def all_reviews(self, property_id: str) -> list[Item]:
        """Every review of a property (repairs and tests; no request path calls this)."""
        items: list[Item] = []
        kwargs: dict[str, Any] = {"IndexName": "gsi1", "KeyConditionExpression": "gsi1pk = :pk",
                                  "ExpressionAttributeValues": values(pk=rk.reviews_list_pk(property_id))}
        while True:
            page = self._client.query(TableName=self._table, **kwargs)
            items += [deserialize(raw) or {} for raw in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def page(self, property_id: str, filters: ListFilters, limit: int, cursor: str | None
             ) -> tuple[list[Item], str | None]:
        """Newest first, filtered in DynamoDB (FilterExpression); the cursor is the last returned item's key."""
        list_pk = rk.reviews_list_pk(property_id)
        low, high = filters.created_from or "0", (filters.created_to or "9999") + "#\uffff"
        conditions: list[str] = []
        named: dict[str, Any] = {}
        if filters.source:
            conditions.append("#source = :source")
            named["source"] = filters.source
        if filters.min_rating is not None:
            conditions.append("rating >= :min_rating")
            named["min_rating"] = filters.min_rating
        if filters.max_rating is not None:
            conditions.append("rating <= :max_rating")
            named["max_rating"] = filters.max_rating
        if filters.answered is not None:
            answered = "(attribute_exists(reply) OR attribute_exists(source_reply))"
            conditions.append(answered if filters.answered else f"NOT {answered}")
        kwargs: dict[str, Any] = {
            "IndexName": "gsi1", "ScanIndexForward": False,
            "KeyConditionExpression": "gsi1pk = :pk AND gsi1sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": values(pk=list_pk, low=low, high=high, **named)}
        if conditions:
            kwargs["FilterExpression"] = " AND ".join(conditions)
        if filters.source:
            kwargs["ExpressionAttributeNames"] = {"#source": "source"}
        if cursor:
            kwargs["ExclusiveStartKey"] = _decode_cursor(cursor, list_pk)
        items: list[Item] = []
        more = False
        while True:
            page = self._client.query(TableName=self._table, Limit=max(limit * 2, 20), **kwargs)
            found = page.get("Items", [])
            for index, raw in enumerate(found):
                items.append(deserialize(raw) or {})
                if len(items) == limit:
                    more = index < len(found) - 1 or "LastEvaluatedKey" in page
                    break
            if len(items) == limit or "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        next_cursor = _encode_cursor(items[-1]) if items and more else None
        return items, next_cursor

    def google_properties(self) -> list[Item]:
        """The review settings of every property with a Google location (a sparse gsi1 partition)."""
        items: list[Item] = []
        kwargs: dict[str, Any] = {"IndexName": "gsi1", "KeyConditionExpression": "gsi1pk = :pk",
                                  "ExpressionAttributeValues": values(pk=rk.GOOGLE_SOURCES)}
        while True:
            page = self._client.query(TableName=self._table, **kwargs)
            items += [deserialize(raw) or {} for raw in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def due_alerts(self, now: str, limit: int = 50) -> list[Item]:
        return list(queues.due(self._client, self._table, rk.ALERT_QUEUE, now, limit))

    # ------------------------------------------------------------------ writes
    def save(self, property_id: str, record: ReviewRecord, previous: Item | None, now: str,
             counters: Mapping[str, int], queue_alert: bool) -> None:
        """The review, its counters' delta and (when due) its alert, in one transaction. WriteConflict when the
        review changed since `previous` was read (or already exists when `previous` is None)."""
        rid = record.review_id
        pk = rk.review_pk(property_id, rid)
        content = record.content()
        fields: dict[str, Any] = {**content, "review_id": rid, "property_id": property_id,
                                  "fingerprint": record.fingerprint(), "updated_at": now,
                                  "gsi1pk": rk.reviews_list_pk(property_id),
                                  "gsi1sk": rk.reviews_list_sk(record.created_at, rid)}
        if queue_alert:
            fields["alert"] = "queued"
        ops: list[dict[str, Any]] = []
        if previous is None:
            item = {"pk": pk, "sk": rk.REVIEW_SK, "version": 1, "ingested_at": now,
                    **{k: v for k, v in fields.items() if v is not None and v != {}}}
            ops.append({"Put": {"TableName": self._table, "Item": serialize(item),
                                "ConditionExpression": "attribute_not_exists(pk)"}})
            ops.append(outbox_put(self._table, property_id, "review.received", {  # issue 17: webhooks
                "review_id": rid, "source": record.source, "rating": record.rating, "booking_id": record.booking_id,
                "created_at": record.created_at}))
        else:
            sets = {k: v for k, v in fields.items() if v is not None and v != {}}
            removes = [k for k, v in fields.items() if v is None or v == {}]
            names = {f"#{k}": k for k in [*sets, *removes]}
            expression = "SET " + ", ".join(f"#{k} = :{k}" for k in sets) + ", version = :next"
            if removes:
                expression += " REMOVE " + ", ".join(f"#{k}" for k in removes)
            ops.append({"Update": {
                "TableName": self._table, "Key": key(pk, rk.REVIEW_SK), "UpdateExpression": expression,
                "ConditionExpression": "version = :version", "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values(**sets, next=int(previous["version"]) + 1,
                                                    version=int(previous["version"]))}})
        if counters:
            names = {f"#c{i}": name for i, name in enumerate(counters)}
            vals = {f":c{i}": to_attr(value) for i, value in enumerate(counters.values())}
            ops.append({"Update": {
                "TableName": self._table, "Key": key(rk.review_meta_pk(property_id), rk.STATS_SK),
                "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(counters)))
                + " SET updated_at = :now, property_id = :pid",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": vals | values(now=now, pid=property_id)}})
        if queue_alert:
            alert = {"pk": pk, "sk": rk.ALERT_SK, "property_id": property_id, "review_id": rid, "status": "queued",
                     "created_at": now, "gsi1pk": queues.queue_pk(rk.ALERT_QUEUE, property_id),
                     "gsi1sk": f"{now}#{property_id}#{rid}"}
            ops.append({"Put": {"TableName": self._table, "Item": serialize(alert),
                                "ConditionExpression": "attribute_not_exists(pk)"}})
        try:
            transact_write(self._client, ops)
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            raise WriteConflict(cancellation_codes(exc)) from exc

    def set_host_fields(self, property_id: str, review_id: str, **fields: Any) -> Item | None:
        """Set (or, for None, remove) host-owned fields (reply, note); None when the review does not exist."""
        sets = {k: v for k, v in fields.items() if v is not None}
        removes = [k for k, v in fields.items() if v is None]
        parts = []
        if sets:
            parts.append("SET " + ", ".join(f"#{k} = :{k}" for k in sets))
        if removes:
            parts.append("REMOVE " + ", ".join(f"#{k}" for k in removes))
        kwargs: dict[str, Any] = {
            "TableName": self._table, "Key": key(rk.review_pk(property_id, review_id), rk.REVIEW_SK),
            "UpdateExpression": " ".join(parts), "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": {f"#{k}": k for k in fields}, "ReturnValues": "ALL_NEW"}
        if sets:
            kwargs["ExpressionAttributeValues"] = values(**sets)
        try:
            return deserialize(self._client.update_item(**kwargs).get("Attributes"))
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise

    def put_settings(self, property_id: str, data: Mapping[str, Any]) -> None:
        item = {"pk": rk.review_meta_pk(property_id), "sk": rk.SETTINGS_SK, "property_id": property_id,
                **{k: v for k, v in data.items() if v is not None}}
        if data.get("google_location"):
            item |= {"gsi1pk": rk.GOOGLE_SOURCES, "gsi1sk": property_id}
        self._client.put_item(TableName=self._table, Item=serialize(item))

    def set_google_cursor(self, property_id: str, synced_until: str) -> None:
        self._client.update_item(
            TableName=self._table, Key=key(rk.review_meta_pk(property_id), rk.SETTINGS_SK),
            UpdateExpression="SET google_synced_until = :u", ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=values(u=synced_until))

    def claim_alert(self, alert: Item, now: str, lease_until: str) -> bool:
        """Take an alert for sending: its queue position moves to the lease's end, so a crashed send is retried
        then, and a concurrent tick (which read the old position) cannot take it too."""
        try:
            self._client.update_item(
                TableName=self._table, Key=key(alert["pk"], alert["sk"]),
                UpdateExpression="SET gsi1sk = :lease, claimed_at = :now, "
                                 "attempts = if_not_exists(attempts, :z) + :one",
                ConditionExpression="gsi1sk = :seen AND #s = :queued", ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(
                    lease=f"{lease_until}#{alert['property_id']}#{alert['review_id']}", now=now, z=0, one=1,
                    seen=alert["gsi1sk"], queued="queued"))
            return True
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise

    def finish_alert(self, alert: Item, status: str, now: str, **data: Any) -> None:
        """Out of the queue for good (sent, or failed permanently), on both the alert and its review."""
        pk = alert["pk"]
        fields = {"status": status, "finished_at": now, **{k: v for k, v in data.items() if v is not None}}
        transact_write(self._client, [
            {"Update": {"TableName": self._table, "Key": key(pk, rk.ALERT_SK),
                        "UpdateExpression": "SET " + ", ".join(f"#{k} = :{k}" for k in fields)
                        + " REMOVE gsi1pk, gsi1sk",
                        "ExpressionAttributeNames": {f"#{k}": k for k in fields},
                        "ExpressionAttributeValues": values(**fields)}},
            {"Update": {"TableName": self._table, "Key": key(pk, rk.REVIEW_SK),
                        "UpdateExpression": "SET alert = :s", "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": values(s=status)}},
        ])

    # ------------------------------------------------------------------ guests (revenir.guests.gdpr)
    def form_reviews(self, property_id: str, booking_ids: list[str]) -> dict[str, Item]:
        """The reviews guests left through our form, by booking (their id derives from the booking)."""
        from revenir.reviews.models import review_id

        wanted = [key(rk.review_pk(property_id, review_id("direct", b)), rk.REVIEW_SK) for b in booking_ids]
        found: dict[str, Item] = {}
        for start in range(0, len(wanted), 100):
            for item in batch_get(self._client, self._table, wanted[start:start + 100]):
                found[str(item.get("booking_id") or item.get("source_id"))] = item
        return found

    def ratings_by_booking(self, property_id: str, booking_ids: list[str]) -> dict[str, float]:
        """BookingRatings: the 0-5 rating given through our form, per booking."""
        return {b: round(int(r["rating"]) / 100, 2) for b, r in self.form_reviews(property_id, booking_ids).items()}

    def export_guest(self, guest: GuestRef) -> dict[str, Any]:
        reviews = self.form_reviews(guest.property_id, sorted(guest.booking_ids))
        return {"reviews": [public(r) for _, r in sorted(reviews.items())]}

    def erase_guest(self, guest: GuestRef) -> dict[str, int]:
        """The rating stays in the aggregates; who wrote what does not."""
        from revenir.core import clock

        reviews = self.form_reviews(guest.property_id, sorted(guest.booking_ids))
        for review in reviews.values():
            removed = [f for f in ("text", "title") if f in review]
            expression = "SET author = :dash, erased_at = :now" + (
                " REMOVE " + ", ".join(f"#{f}" for f in removed) if removed else "")
            update: dict[str, Any] = {"TableName": self._table, "Key": key(review["pk"], review["sk"]),
                                      "UpdateExpression": expression,
                                      "ExpressionAttributeValues": values(dash="-", now=clock.iso(clock.now()))}
            if removed:
                update["ExpressionAttributeNames"] = {f"#{f}": f for f in removed}
            self._client.update_item(**update)
        return {"reviews_anonymised": len(reviews)}


def _encode_cursor(item: Item) -> str:
    data = {k: item[k] for k in ("pk", "sk", "gsi1pk", "gsi1sk")}
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, list_pk: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or set(data) != {"pk", "sk", "gsi1pk", "gsi1sk"} or data["gsi1pk"] != list_pk:
            raise ValueError("foreign cursor")
        return {k: {"S": str(v)} for k, v in data.items()}
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("the cursor is not valid", code="invalid_cursor") from exc
