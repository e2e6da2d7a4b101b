"""Bookings, guests, their scheduled e-mails and timeline; templates and segments of a property.

A guest's partition (PROPERTY#p#GUEST#email) holds the profile, the stays set, one link per booking, the
booking's e-mails (MSG#booking#template) and the timeline (EVENT#…): the profile and the GDPR export
are one Query. Pending e-mails also sit in the gsi1 queue QUEUE#MAIL, sorted by send time.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from revenir.core.errors import NotFound
from revenir.events.outbox import outbox_put
from revenir.guests import keys
from revenir.guests.bookings import Booking
from revenir.guests.segments import Segment
from revenir.properties.store import split_partition
from revenir.stats import store as stats
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
    query_all,
    serialize,
    to_attr,
    transact_write,
    values,
)


def booking_key(property_id: str, booking_id: str) -> dict[str, Any]:
    """The key of a booking the booking engine pushed (the review form checks the booking exists)."""
    return key(keys.booking_pk(property_id, booking_id), keys.BOOKING_SK)


def stays_key(property_id: str, email: str) -> dict[str, Any]:
    """The key of the guest's stays (booking ids): first-stay-only codes read it in their BatchGetItem."""
    return key(keys.guest_pk(property_id, email), keys.GUEST_STAYS_SK)


def profile_key(property_id: str, email: str) -> dict[str, Any]:
    """The key of a guest's profile (consent, unsubscribe, tags, language): campaigns re-read it at send time."""
    return key(keys.guest_pk(property_id, email), keys.GUEST_PROFILE_SK)


def suppression_key(email: str) -> dict[str, Any]:
    """The key of an address's SES suppression (bounced or complaining, for every property)."""
    return key(keys.suppression_pk(email), keys.SUPPRESSION_SK)


def stays_update(table: str, property_id: str, email: str, booking_id: str, *, add: bool) -> dict[str, Any]:
    """A transaction item adding (a redemption) or removing (a release) a booking from the guest's stays."""
    return {"Update": {"TableName": table, "Key": stays_key(property_id, email),
                       "UpdateExpression": f"{'ADD' if add else 'DELETE'} booking_ids :b",
                       "ExpressionAttributeValues": {":b": {"SS": [booking_id]}}}}


def guest_of_key(pk: str, sk: str) -> tuple[str, str, str] | None:
    """(property id, e-mail, "profile" | "stays" | "suppressed") when a table key is a guest's profile or stays
    item, or the marker of a bounce or complaint of one of the property's messages (a stream record's Keys,
    for the e-mailing tools' sync), else None: the layout stays this capability's business."""
    kind = {keys.GUEST_PROFILE_SK: "profile", keys.GUEST_STAYS_SK: "stays"}.get(sk)
    if kind is None and sk.startswith((keys.BOUNCE_PREFIX, keys.COMPLAINT_PREFIX)):
        kind = "suppressed"
    if kind is None or not pk.startswith("PROPERTY#") or "#GUEST#" not in pk:
        return None
    property_part, email = pk.removeprefix("PROPERTY#").split("#GUEST#", 1)
    return property_part, email, kind


def is_segment_key(sk: str) -> bool:
    """A property's segment (its change re-tags every guest at the e-mailing tool)."""
    return sk.startswith(keys.SEGMENT_PREFIX)


def link_put(table: str, property_id: str, email: str, kind: str, ref: str) -> dict[str, Any]:
    """A transaction item linking a record kept elsewhere (a redemption, a cart) from the guest's partition, so
    that the guest's profile and GDPR export/erasure find it."""
    return {"Put": {"TableName": table, "Item": serialize({
        "pk": keys.guest_pk(property_id, email), "sk": keys.guest_link_sk(kind, ref), "booking_id": ref})}}


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
        property_item, offers, rest = split_partition(items)
        context = PropertyContext(property_item=property_item, offers={o["offer_id"]: o for o in offers})
        for item in rest:
            sk = item["sk"]
            if sk.startswith(keys.TEMPLATE_PREFIX):
                context.templates[item["template_id"]] = item
            elif sk.startswith(keys.SEGMENT_PREFIX):
                context.segments.append(item)
        if context.property_item is None:
            raise NotFound(f"property {property_id!r} does not exist", code="property_not_found")
        return context

    def anonymise_booking(self, property_id: str, booking_id: str, fields: dict[str, Any],
                          remove: tuple[str, ...]) -> None:
        self.update_item(keys.booking_pk(property_id, booking_id), keys.BOOKING_SK, fields, remove)

    def property_item(self, property_id: str) -> Item | None:
        """The property's own item (its name and language for a guest page): one GetItem, its key from the owner."""
        from revenir.properties.store import property_key

        return deserialize(self._client.get_item(TableName=self._table, Key=property_key(property_id)).get("Item"))

    def get_booking(self, property_id: str, booking_id: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.booking_pk(property_id, booking_id), keys.BOOKING_SK),
            ConsistentRead=True).get("Item"))

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
            "booking": key(keys.booking_pk(property_id, booking_id), keys.BOOKING_SK),
            "profile": key(keys.guest_pk(property_id, email), keys.GUEST_PROFILE_SK),
            "stays": key(keys.guest_pk(property_id, email), keys.GUEST_STAYS_SK),
            "suppressed": key(keys.suppression_pk(email), keys.SUPPRESSION_SK),
        }
        found = {(i["pk"], i["sk"]): i for i in batch_get(self._client, self._table, list(wanted.values()), True)}
        return {name: found.get((k["pk"]["S"], k["sk"]["S"])) for name, k in wanted.items()}

    def suppressed(self, email: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.suppression_pk(email), keys.SUPPRESSION_SK)).get("Item"))

    def guest_emails_page(self, property_id: str, cursor: dict[str, Any] | None, limit: int = 100
                          ) -> tuple[list[str], dict[str, Any] | None]:
        """One page of the property's guest list (its bookings by arrival, gsi1: one partition per property,
        never a Scan): the distinct e-mails of the page and where the next page starts (None: the end)."""
        page = self._client.query(
            TableName=self._table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk", Limit=limit,
            ProjectionExpression="email", ExpressionAttributeValues=values(pk=keys.arrivals_pk(property_id)),
            **({"ExclusiveStartKey": cursor} if cursor else {}))  # type: ignore[arg-type]
        emails = list(dict.fromkeys(str(i["email"]["S"]) for i in page.get("Items", []) if "email" in i))
        return emails, page.get("LastEvaluatedKey")

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
        item = {"pk": keys.booking_pk(pid, bid), "sk": keys.BOOKING_SK, "version": version,
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
                transact_write(self._client, ops[start:start + 100])
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

    def mark_complaint(self, property_id: str, email: str, message_id: str, at: str) -> None:
        """A complaint about one of the property's messages, kept in the guest's partition (once per message)."""
        try:
            self._client.put_item(TableName=self._table, Item=serialize({
                "pk": keys.guest_pk(property_id, email), "sk": keys.complaint_sk(message_id), "at": at,
                "property_id": property_id}), ConditionExpression="attribute_not_exists(pk)")
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise

    def count_bounce(self, property_id: str, email: str, message_id: str, at: str) -> bool:
        """The dashboard's `emails_bounced` (revenir.stats, UTC month), once per message and address."""
        marker = {"pk": keys.guest_pk(property_id, email), "sk": keys.bounce_sk(message_id), "at": at,
                  "property_id": property_id}
        try:
            transact_write(self._client, [
                {"Put": {"TableName": self._table, "Item": serialize(marker),
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                stats.add(self._table, property_id, stats.month_of(None), {"emails_bounced": 1})])
        except Exception as exc:
            if error_code(exc) == "TransactionCanceledException" and \
                    cancellation_codes(exc)[:1] == ["ConditionalCheckFailed"]:
                return False
            raise
        return True

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

    # ------------------------------------------------------------------ templates and segments
    def _put_property_item(self, property_id: str, sk: str, data: Item) -> None:
        self._client.put_item(TableName=self._table, Item=serialize(
            {"pk": keys.property_pk(property_id), "sk": sk, **{k: v for k, v in data.items() if v is not None}}))

    def save_template(self, property_id: str, template_id: str, data: Item) -> None:
        self._put_property_item(property_id, keys.template_sk(template_id), data)

    def replace_template(self, property_id: str, template_id: str, data: Item, previous_revision: str | None) -> bool:
        """Write a template only if it is still at `previous_revision` (None: Revenir's default, or a copy saved
        before revisions existed). False when another write came first (optimistic concurrency)."""
        item = serialize({"pk": keys.property_pk(property_id), "sk": keys.template_sk(template_id),
                          **{k: v for k, v in data.items() if v is not None}})
        condition: dict[str, Any] = ({"ConditionExpression": "attribute_not_exists(revision)"}
                                     if previous_revision is None else
                                     {"ConditionExpression": "revision = :r",
                                      "ExpressionAttributeValues": {":r": {"S": previous_revision}}})
        try:
            self._client.put_item(TableName=self._table, Item=item, **condition)
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def delete_template(self, property_id: str, template_id: str) -> None:
        self._client.delete_item(TableName=self._table, Key=key(keys.property_pk(property_id),
                                                                keys.template_sk(template_id)))

    def segments(self, property_id: str) -> list[Segment]:
        return [Segment.model_validate(public(s)) for s in self.property_context(property_id).segments]

    def save_segment(self, property_id: str, segment_id: str, data: Item) -> None:
        self._put_property_item(property_id, keys.segment_sk(segment_id), data)

    def delete_segment(self, property_id: str, segment_id: str) -> None:
        self._client.delete_item(TableName=self._table, Key=key(keys.property_pk(property_id),
                                                                keys.segment_sk(segment_id)))

    # ------------------------------------------------------------------ the mail queue
    def due_messages(self, now_iso: str, limit: int, rotation: int = 0) -> Iterator[Item]:
        """Pending e-mails due at `now_iso`, across the queue's shards, at most `limit`."""
        return queues.due(self._client, self._table, keys.MAIL_QUEUE, now_iso, limit, rotation)

    def claim(self, message: Item, now_iso: str, lease_until: str, from_status: str = "pending",
              to_status: str = "sending") -> Item | None:
        """Take a due message for sending: only one tick, however many overlap, gets it. It stays in the queue
        at `lease_until`: should the tick die before recording the outcome, a later tick finds it there.
        With the send queue: the tick moves it pending -> queued (or re-queues a queued one whose lease is over),
        the queue's consumer queued -> sending; `attempts` counts the sends only."""
        qsk = queue_sort_key(lease_until, message["property_id"], message["email"], message["booking_id"],
                             message["template_id"])
        condition = "#s = :from AND send_at <= :now" if from_status == "pending" else "#s = :from"
        attempts = ", attempts = if_not_exists(attempts, :zero) + :one" if to_status == "sending" else ""
        vals = values(to=to_status, now=now_iso, qsk=qsk, **{"from": from_status})
        if attempts:
            vals |= values(zero=0, one=1)
        try:
            result = self._client.update_item(
                TableName=self._table, Key=key(message["pk"], message["sk"]),
                UpdateExpression=f"SET #s = :to, claimed_at = :now{attempts}, gsi1sk = :qsk",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=vals,
                ReturnValues="ALL_NEW")
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return deserialize(result["Attributes"])

    def record_mail_problem(self, property_id: str, reason: str, kind: str, error: str | None,
                            template_id: str | None, email: str | None, at: str) -> None:
        """Count one message that will not be sent, under its reason (one write; the host reads them)."""
        fields = {"reason": reason, "kind": kind, "last_error": (error or "")[:500], "last_at": at,
                  "last_template_id": template_id or "", "last_email": email or "", "property_id": property_id}
        self._client.update_item(
            TableName=self._table, Key=key(keys.mail_problems_pk(property_id), keys.mail_problem_sk(reason)),
            UpdateExpression="ADD #count :one SET " + ", ".join(f"#{k} = :{k}" for k in fields)
            + ", #first_at = if_not_exists(#first_at, :last_at)",
            ExpressionAttributeNames={"#count": "count", "#first_at": "first_at", **{f"#{k}": k for k in fields}},
            ExpressionAttributeValues=values(one=1, **fields))

    def mail_problems(self, property_id: str) -> list[Item]:
        """The property's mail problems, one per reason."""
        return self._query_all(KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                               ExpressionAttributeValues=values(pk=keys.mail_problems_pk(property_id),
                                                                p=keys.MAIL_PROBLEM_PREFIX))

    def finish(self, message: Item, fields: dict[str, Any], requeue_at: str | None = None) -> None:
        """Record a send's outcome once, from the claimed state (one write: the message is its own history)."""
        names = {"#s": "status", **{f"#{k}": k for k in fields}}
        expression = "SET " + ", ".join(f"#{k} = :{k}" for k in fields)
        vals = values(sending="sending", **fields)
        if requeue_at:
            expression += ", gsi1pk = :q, gsi1sk = :qsk"
            qsk = queue_sort_key(requeue_at, message["property_id"], message["email"], message["booking_id"],
                                 message["template_id"])
            vals |= values(q=queues.queue_pk(keys.MAIL_QUEUE, message["property_id"]), qsk=qsk)
        else:
            expression += " REMOVE gsi1pk, gsi1sk"
        update: dict[str, Any] = {
            "TableName": self._table, "Key": key(message["pk"], message["sk"]), "UpdateExpression": expression,
            "ConditionExpression": "#s = :sending", "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": vals}
        counter = {"sent": "emails_sent", "failed": "emails_failed"}.get(str(fields.get("status")))
        if counter is None:
            self._client.update_item(**update)
            return
        # The dashboard's monthly counter (revenir.stats) in the same transaction: counted once per outcome.
        # The month is UTC's: the message item does not carry the property's time zone (docs/data-model.md).
        try:
            transact_write(self._client, [{"Update": update}, stats.add(
                self._table, message["property_id"], stats.month_of(None), {counter: 1})])
        except Exception as exc:
            if error_code(exc) == "TransactionCanceledException" and \
                    cancellation_codes(exc)[:1] == ["ConditionalCheckFailed"]:
                raise ConditionalCheckFailed("the message's outcome was recorded meanwhile") from exc
            raise

    def unsubscribe(self, property_id: str, email: str, fields: dict[str, Any], event: Item) -> bool:
        """Mark the guest unsubscribed with the timeline event and the dashboard's monthly counter (revenir.stats,
        UTC month), once: False when the guest had already unsubscribed."""
        names = {f"#{k}": k for k in fields}
        update: dict[str, Any] = {
            "TableName": self._table, "Key": key(keys.guest_pk(property_id, email), keys.GUEST_PROFILE_SK),
            "UpdateExpression": "SET " + ", ".join(f"#{k} = :{k}" for k in fields),
            "ConditionExpression": "attribute_not_exists(#unsubscribed) OR #unsubscribed <> :true",
            "ExpressionAttributeNames": names | {"#unsubscribed": "unsubscribed"},
            "ExpressionAttributeValues": values(**fields) | values(true=True)}
        try:
            transact_write(self._client, [{"Update": update},
                                          {"Put": {"TableName": self._table, "Item": serialize(event)}},
                                          stats.add(self._table, property_id, stats.month_of(None),
                                                    {"unsubscribed": 1}),
                                          outbox_put(self._table, property_id, "guest.unsubscribed",
                                                     {"guest_email": email})])  # issue 17: webhooks
        except Exception as exc:
            if error_code(exc) == "TransactionCanceledException" and \
                    cancellation_codes(exc)[:1] == ["ConditionalCheckFailed"]:
                return False
            raise
        return True


class ConditionalCheckFailed(Exception):
    """A message's outcome was recorded meanwhile (the name matches what callers already test for)."""


def queue_sort_key(send_at: str, property_id: str, email: str, booking_id: str, template_id: str) -> str:
    return f"{send_at}#{property_id}#{email}#{booking_id}#{template_id}"
