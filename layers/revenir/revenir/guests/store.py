"""Bookings, guests, their scheduled e-mails and timeline; templates and segments of a property.

A guest's partition (PROPERTY#p#GUEST#email) holds the profile, the stays set, one link per booking, the
booking's e-mails (MSG#booking#template) and the timeline (EVENT#…): the profile and the GDPR export
are one Query. Pending e-mails also sit in the gsi1 queue QUEUE#MAIL, sorted by send time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from revenir.core.errors import NotFound
from revenir.guests.bookings import Booking
from revenir.table import keys
from revenir.table.dynamodb import (
    DynamoDBClient,
    Item,
    batch_get,
    cancellation_codes,
    deserialize,
    error_code,
    key,
    query_all,
    serialize,
    to_attr,
    values,
)

_STORAGE_ONLY = {"pk", "sk", "gsi1pk", "gsi1sk", "version", "expires_at_epoch"}


def public(item: Item) -> Item:
    return {k: v for k, v in item.items() if k not in _STORAGE_ONLY}


@dataclass
class PropertyContext:
    """Everything property-level, in one Query of the property's partition."""

    property_item: Item | None
    templates: dict[str, Item] = field(default_factory=dict)
    segments: list[Item] = field(default_factory=list)
    offers: dict[str, Item] = field(default_factory=dict)


@dataclass
class GuestRecord:
    profile: Item | None
    booking_ids: set[str]
    items: list[Item]  # the whole partition (links, messages, events)

    def messages(self, booking_id: str | None = None) -> list[Item]:
        prefix = f"MSG#{booking_id}#" if booking_id else "MSG#"
        return [i for i in self.items if i["sk"].startswith(prefix)]


def event_item(property_id: str, email: str, at: str, kind: str, **data: Any) -> Item:
    return {"pk": keys.guest_pk(property_id, email), "sk": keys.event_sk(at, secrets.token_hex(3)),
            "kind": kind, "at": at, **{k: v for k, v in data.items() if v is not None}}


class GuestRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    # ------------------------------------------------------------------ reads
    def _query_all(self, **kwargs: Any) -> list[Item]:
        return query_all(self._client, TableName=self._table, **kwargs)

    def property_context(self, property_id: str) -> PropertyContext:
        items = self._query_all(KeyConditionExpression="pk = :pk",
                                ExpressionAttributeValues=values(pk=keys.property_pk(property_id)))
        context = PropertyContext(property_item=None)
        for item in items:
            sk = item["sk"]
            if sk == keys.PROPERTY_SK:
                context.property_item = item
            elif sk.startswith(keys.TEMPLATE_PREFIX):
                context.templates[item["template_id"]] = item
            elif sk.startswith(keys.SEGMENT_PREFIX):
                context.segments.append(item)
            elif sk.startswith(keys.OFFER_PREFIX):
                context.offers[item["offer_id"]] = item
        if context.property_item is None:
            raise NotFound(f"property {property_id!r} does not exist", code="property_not_found")
        return context

    def get_booking(self, property_id: str, booking_id: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.redemption_pk(property_id, booking_id), keys.BOOKING_SK),
            ConsistentRead=True).get("Item"))

    def cart(self, property_id: str, cart_id: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.cart_pk(property_id, cart_id), keys.CART_SK)).get("Item"))

    def promo_redemption(self, property_id: str, booking_id: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.redemption_pk(property_id, booking_id), keys.REDEMPTION_SK),
            ConsistentRead=True).get("Item"))

    def booking_reviews(self, property_id: str, booking_ids: list[str]) -> dict[str, Item]:
        """The reviews guests left through our form, by booking (their id derives from the booking)."""
        from revenir.reviews import keys as review_keys
        from revenir.reviews.models import review_id

        wanted = [key(review_keys.review_pk(property_id, review_id("direct", b)), review_keys.REVIEW_SK)
                  for b in booking_ids]
        found: dict[str, Item] = {}
        for start in range(0, len(wanted), 100):
            for item in batch_get(self._client, self._table, wanted[start:start + 100]):
                found[str(item.get("booking_id") or item.get("source_id"))] = item
        return found

    def profiles(self, property_id: str, emails: list[str]) -> dict[str, dict[str, Item | None]]:
        """Profile and address suppression of many guests (the guest list), 50 guests per BatchGetItem."""
        out: dict[str, dict[str, Item | None]] = {e: {"profile": None, "suppressed": None} for e in emails}
        for start in range(0, len(emails), 50):
            chunk = emails[start:start + 50]
            keys_ = [key(keys.guest_pk(property_id, e), keys.GUEST_PROFILE_SK) for e in chunk]
            keys_ += [key(keys.suppression_pk(e), keys.SUPPRESSION_SK) for e in chunk]
            for item in batch_get(self._client, self._table, keys_):
                if item["sk"] == keys.GUEST_PROFILE_SK:
                    out[item["pk"].split("#GUEST#", 1)[1]]["profile"] = item
                else:
                    out[item["pk"].removeprefix("SUPPRESSED#")]["suppressed"] = item
        return out

    def guest(self, property_id: str, email: str) -> GuestRecord:
        items = self._query_all(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                                ExpressionAttributeValues=values(pk=keys.guest_pk(property_id, email)))
        profile = next((i for i in items if i["sk"] == keys.GUEST_PROFILE_SK), None)
        stays = next((i for i in items if i["sk"] == keys.GUEST_STAYS_SK), {})
        return GuestRecord(profile, set(stays.get("booking_ids", set())), items)

    def dispatch_context(self, property_id: str, booking_id: str, email: str) -> dict[str, Item | None]:
        """booking, profile, stays and suppression of one message's guest, in one BatchGetItem."""
        wanted = {
            "booking": key(keys.redemption_pk(property_id, booking_id), keys.BOOKING_SK),
            "profile": key(keys.guest_pk(property_id, email), keys.GUEST_PROFILE_SK),
            "stays": key(keys.guest_pk(property_id, email), keys.GUEST_STAYS_SK),
            "suppressed": key(keys.suppression_pk(email), keys.SUPPRESSION_SK),
        }
        found = {(i["pk"], i["sk"]): i for i in batch_get(self._client, self._table, list(wanted.values()), True)}
        return {name: found.get((k["pk"]["S"], k["sk"]["S"])) for name, k in wanted.items()}

    def suppressed(self, email: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.suppression_pk(email), keys.SUPPRESSION_SK)).get("Item"))

    def bookings_by_arrival(self, property_id: str, arrival_from: str, arrival_to: str) -> list[Item]:
        return self._query_all(
            IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk AND gsi1sk BETWEEN :a AND :b",
            ExpressionAttributeValues=values(pk=keys.arrivals_pk(property_id), a=arrival_from,
                                             b=arrival_to + "#\uffff"))

    # ------------------------------------------------------------------ writes
    def save_booking(self, booking: Booking, previous: Item | None, messages: list[Item],
                     withdrawn: list[Item], events: list[Item], *, is_stay: bool) -> None:
        """The booking, the guest's profile and stays, the booking link, e-mail changes and timeline, in one
        transaction. A concurrent change of the same booking makes it fail (version check)."""
        pid, bid, email = booking.property_id, booking.booking_id, booking.email
        version = int(previous.get("version", 0)) + 1 if previous else 1
        data = booking.model_dump(mode="json")
        item = {"pk": keys.redemption_pk(pid, bid), "sk": keys.BOOKING_SK, "version": version,
                "gsi1pk": keys.arrivals_pk(pid), "gsi1sk": f"{data['arrival']}#{bid}",
                **{k: v for k, v in data.items() if v is not None}}
        put: dict[str, Any] = {"TableName": self._table, "Item": serialize(item)}
        if previous:
            put |= {"ConditionExpression": "version = :v", "ExpressionAttributeValues": values(v=previous["version"])}
        else:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        ops: list[dict[str, Any]] = [{"Put": put}]
        profile_fields = {"first_name": booking.first_name, "last_name": booking.last_name, "email": email,
                          "phone": booking.phone, "country": booking.country, "language": booking.language,
                          "property_id": pid}
        profile_fields = {k: v for k, v in profile_fields.items() if v is not None}
        names = {f"#{k}": k for k in profile_fields}
        consent = ", marketing_consent = :consent" if booking.marketing_consent else ""
        ops.append({"Update": {
            "TableName": self._table, "Key": key(keys.guest_pk(pid, email), keys.GUEST_PROFILE_SK),
            "UpdateExpression": "SET " + ", ".join(f"#{k} = :{k}" for k in profile_fields)
            + ", created_at = if_not_exists(created_at, :now), updated_at = :now" + consent,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values(now=booking.updated_at, **profile_fields)
            | ({":consent": to_attr(True)} if consent else {})}})
        ops.append({"Update": {
            "TableName": self._table, "Key": key(keys.guest_pk(pid, email), keys.GUEST_STAYS_SK),
            "UpdateExpression": f"{'ADD' if is_stay else 'DELETE'} booking_ids :b",
            "ExpressionAttributeValues": {":b": {"SS": [bid]}}}})
        ops.append({"Put": {"TableName": self._table, "Item": serialize({
            "pk": keys.guest_pk(pid, email), "sk": keys.guest_booking_sk(bid), "booking_id": bid,
            "arrival": data["arrival"], "departure": data["departure"], "nights": booking.nights,
            "status": booking.status, "total": booking.total, "currency": booking.currency,
            "checked_in": booking.status in ("checked_in", "checked_out")})}})
        if previous and previous.get("email") != email:  # the booking moved to another address
            ops.append({"Delete": {"TableName": self._table,
                                   "Key": key(keys.guest_pk(pid, previous["email"]), keys.guest_booking_sk(bid))}})
            ops.append({"Update": {
                "TableName": self._table, "Key": key(keys.guest_pk(pid, previous["email"]), keys.GUEST_STAYS_SK),
                "UpdateExpression": "DELETE booking_ids :b", "ExpressionAttributeValues": {":b": {"SS": [bid]}}}})
        for message in messages:  # never overwrite a message a dispatcher is sending or has sent
            ops.append({"Put": {"TableName": self._table, "Item": serialize(message),
                                "ConditionExpression": "attribute_not_exists(pk) OR #s IN (:pending, :cancelled)",
                                "ExpressionAttributeNames": {"#s": "status"},
                                "ExpressionAttributeValues": values(pending="pending", cancelled="cancelled")}})
        for message in withdrawn:
            ops.append({"Update": {
                "TableName": self._table, "Key": key(message["pk"], message["sk"]),
                "UpdateExpression": "SET #s = :cancelled, cancelled_at = :now REMOVE gsi1pk, gsi1sk",
                "ConditionExpression": "#s = :pending", "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": values(cancelled="cancelled", pending="pending",
                                                    now=booking.updated_at)}})
        for event in events:
            ops.append({"Put": {"TableName": self._table, "Item": serialize(event)}})
        self._transact(ops)

    def _transact(self, ops: list[dict[str, Any]]) -> None:
        from revenir.core.errors import Conflict

        try:
            for start in range(0, len(ops), 100):  # one transaction in practice (a booking has a few e-mails)
                self._client.transact_write_items(TransactItems=ops[start:start + 100])
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            raise Conflict("the record changed while saving: try again", code="concurrent_change",
                           details=[{"reasons": cancellation_codes(exc)}]) from exc

    def put_items(self, items: list[Item]) -> None:
        self._transact([{"Put": {"TableName": self._table, "Item": serialize(i)}} for i in items])

    def update_profile(self, property_id: str, email: str, fields: dict[str, Any], event: Item,
                       must_exist: bool = True) -> None:
        names = {f"#{k}": k for k in fields}
        update: dict[str, Any] = {
            "TableName": self._table, "Key": key(keys.guest_pk(property_id, email), keys.GUEST_PROFILE_SK),
            "UpdateExpression": "SET " + ", ".join(f"#{k} = :{k}" for k in fields),
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": values(**fields)}
        if must_exist:
            update["ConditionExpression"] = "attribute_exists(pk)"
        try:
            self._transact([{"Update": update}, {"Put": {"TableName": self._table, "Item": serialize(event)}}])
        except Exception as exc:
            if "ConditionalCheckFailed" in str(getattr(exc, "details", "")):
                raise NotFound(f"no guest {email!r} at this property", code="guest_not_found") from exc
            raise

    def suppress(self, email: str, reason: str, at: str, detail: str | None) -> None:
        self._client.put_item(TableName=self._table, Item=serialize({
            "pk": keys.suppression_pk(email), "sk": keys.SUPPRESSION_SK, "email": email, "reason": reason,
            "at": at, **({"detail": detail} if detail else {})}))

    def delete_items(self, items: list[Item]) -> None:
        requests = [{"DeleteRequest": {"Key": key(i["pk"], i["sk"])}} for i in items]
        for start in range(0, len(requests), 25):
            batch: dict[str, Any] = {self._table: requests[start:start + 25]}
            for _ in range(5):
                response = self._client.batch_write_item(RequestItems=batch)
                batch = response.get("UnprocessedItems") or {}
                if not batch:
                    break

    def update_item(self, pk: str, sk: str, set_fields: dict[str, Any], remove: tuple[str, ...] = ()) -> None:
        names = {f"#{k}": k for k in (*set_fields, *remove)}
        expression = ""
        if set_fields:
            expression = "SET " + ", ".join(f"#{k} = :{k}" for k in set_fields)
        if remove:
            expression += " REMOVE " + ", ".join(f"#{k}" for k in remove)
        kwargs: dict[str, Any] = {"TableName": self._table, "Key": key(pk, sk), "UpdateExpression": expression,
                                  "ExpressionAttributeNames": names, "ConditionExpression": "attribute_exists(pk)"}
        if set_fields:
            kwargs["ExpressionAttributeValues"] = values(**set_fields)
        self._client.update_item(**kwargs)

    def erase_promo_traces(self, property_id: str, email: str, email_hash: str) -> int:
        """Remove an address from the property's promo codes: per-guest counters and "sent to" lists."""
        removed = 0
        promos = self._query_all(IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                                 ExpressionAttributeValues=values(pk=keys.promo_list_pk(property_id)))
        for promo in promos:
            if email_hash in (promo.get("guest_uses") or {}):
                self._client.update_item(TableName=self._table, Key=key(promo["pk"], promo["sk"]),
                                         UpdateExpression="REMOVE guest_uses.#g",
                                         ExpressionAttributeNames={"#g": email_hash})
                removed += 1
            sent = self._query_all(KeyConditionExpression="pk = :pk",
                                   ExpressionAttributeValues=values(pk=keys.promo_sent_pk(property_id, promo["id"])))
            mine = [i for i in sent if i.get("email") == email]
            self.delete_items(mine)
            removed += len(mine)
        return removed

    # ------------------------------------------------------------------ templates and segments
    def put_property_item(self, property_id: str, sk: str, data: Item) -> None:
        self._client.put_item(TableName=self._table, Item=serialize(
            {"pk": keys.property_pk(property_id), "sk": sk, **{k: v for k, v in data.items() if v is not None}}))

    def delete_property_item(self, property_id: str, sk: str) -> None:
        self._client.delete_item(TableName=self._table, Key=key(keys.property_pk(property_id), sk))

    # ------------------------------------------------------------------ the mail queue
    def due_messages(self, now_iso: str, limit: int, start: dict[str, Any] | None = None
                     ) -> tuple[list[Item], dict[str, Any] | None]:
        kwargs: dict[str, Any] = {
            "TableName": self._table, "IndexName": "gsi1", "Limit": limit,
            "KeyConditionExpression": "gsi1pk = :q AND gsi1sk <= :now",
            "ExpressionAttributeValues": values(q=keys.MAIL_QUEUE, now=now_iso + "#\uffff")}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = self._client.query(**kwargs)
        return [deserialize(i) or {} for i in page.get("Items", [])], page.get("LastEvaluatedKey")

    def claim(self, message: Item, now_iso: str, lease_until: str) -> Item | None:
        """Take a due message for sending: only one tick, however many overlap, gets it. It stays in the queue
        at `lease_until`: should the tick die before recording the outcome, a later tick finds it there."""
        qsk = queue_sort_key(lease_until, message["property_id"], message["email"], message["booking_id"],
                             message["template_id"])
        try:
            result = self._client.update_item(
                TableName=self._table, Key=key(message["pk"], message["sk"]),
                UpdateExpression="SET #s = :sending, claimed_at = :now, attempts = if_not_exists(attempts, :zero) "
                                 "+ :one, gsi1sk = :qsk",
                ConditionExpression="#s = :pending AND send_at <= :now",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(sending="sending", pending="pending", now=now_iso, zero=0, one=1,
                                                 qsk=qsk),
                ReturnValues="ALL_NEW")
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return deserialize(result["Attributes"])

    def finish(self, message: Item, fields: dict[str, Any], requeue_at: str | None = None) -> None:
        """Record a send's outcome once, from the claimed state (one write: the message is its own history)."""
        names = {"#s": "status", **{f"#{k}": k for k in fields}}
        expression = "SET " + ", ".join(f"#{k} = :{k}" for k in fields)
        vals = values(sending="sending", **fields)
        if requeue_at:
            expression += ", gsi1pk = :q, gsi1sk = :qsk"
            vals |= values(q=keys.MAIL_QUEUE, qsk=queue_sort_key(requeue_at, message["property_id"], message["email"],
                                                                 message["booking_id"], message["template_id"]))
        else:
            expression += " REMOVE gsi1pk, gsi1sk"
        self._client.update_item(
            TableName=self._table, Key=key(message["pk"], message["sk"]), UpdateExpression=expression,
            ConditionExpression="#s = :sending", ExpressionAttributeNames=names, ExpressionAttributeValues=vals)


def queue_sort_key(send_at: str, property_id: str, email: str, booking_id: str, template_id: str) -> str:
    return f"{send_at}#{property_id}#{email}#{booking_id}#{template_id}"
