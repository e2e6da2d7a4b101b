"""Promo codes in the single table: slots per code string, counters inside the database, one-transaction
redemptions, holds on an expiry index. Key layout: docs/data-model.md."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from revenir.codes import keys
from revenir.codes.models import PromoCode, PromoCodeInput, PromoCodeUpdate, RedeemRequest, normalize_code
from revenir.core import clock
from revenir.core.errors import Conflict, InvalidInput, NotFound
from revenir.events.outbox import outbox_put
from revenir.guard.policy import GuardPolicy
from revenir.guard.store import Counters
from revenir.guests.gdpr import GuestRef
from revenir.guests.store import link_put, stays_key, stays_update
from revenir.properties.store import property_key
from revenir.sales.partner_card_store import card_key, card_uses_update
from revenir.sales.private_sale_store import access_code_key
from revenir.stats import store as stats
from revenir.table import queues
from revenir.table.dynamodb import (
    DynamoDBClient,
    Item,
    batch_get,
    cancellation_codes,
    cancellation_items,
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

#: Definition attributes an update may change (the rest is identity or counters).
_DEFINITION = tuple(f for f in PromoCodeUpdate.model_fields)
_STORAGE_ONLY = {"pk", "sk", "gsi1pk", "gsi1sk", "version", "guest_uses", "expires_at_epoch", "attribution_pk",
                 "attribution_sk"}


def _stats_update(table: str, property_id: str, record: Item, sign: int) -> dict[str, Any]:
    """The dashboard's monthly counters (revenir.stats): one use and the discount given, in the month recorded
    on the redemption (so a release subtracts from the month that counted it)."""
    discount = record.get("discount") or {}
    counters = {"code_uses": sign}
    if discount.get("amount") and discount.get("currency"):
        counters[f"discount_{str(discount['currency']).upper()}"] = sign * int(discount["amount"])
    return stats.add(table, property_id, str(record["stats_month"]), counters)


def _booking_total(lines: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The basket before the discount (every line in one currency: revenir.core.pricing checked it)."""
    if not lines:
        return None
    return {"amount": sum(int(line.get("amount", 0)) for line in lines), "currency": str(lines[0].get("currency"))}


def _usage_put(table: str, record: Item, time_zone: str | None, now: datetime) -> dict[str, Any]:
    """The usage report's item of a redemption (same transaction): the code's "which bookings used it"."""
    local_date = clock.local_today(time_zone or "UTC", now).isoformat()
    record["usage_sk"] = keys.usage_sk(local_date, record["created_at"], record["booking_id"])
    usage = {"pk": keys.usage_pk(record["property_id"], record["promo_id"]), "sk": record["usage_sk"],
             "date": local_date, "created_at": record["created_at"], "booking_id": record["booking_id"],
             "code": record["code"], "kind": record.get("kind", "promo_code"), "status": record["status"],
             "discount": record["discount"], "booking_total": record.get("booking_total"),
             "guest_email": record.get("guest_email")}
    return {"Put": {"TableName": table, "Item": serialize({k: v for k, v in usage.items() if v is not None})}}


def _usage_release(table: str, record: Item, now: datetime) -> list[dict[str, Any]]:
    if not record.get("usage_sk"):
        return []  # redeemed before usage tracking
    return [{"Update": {
        "TableName": table, "Key": key(keys.usage_pk(record["property_id"], record["promo_id"]), record["usage_sk"]),
        "UpdateExpression": "SET #s = :released, released_at = :now", "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": values(released="released", now=clock.iso(now))}}]


def _redeemed_event(table: str, record: Item, now: datetime) -> dict[str, Any]:
    return outbox_put(table, record["property_id"], "code.redeemed", {
        **record, "kind": record.get("kind", "promo_code"), "discount": record.get("discount") or None}, now)
def _attribution_update(table: str, record: Item, sign: int) -> dict[str, Any]:
    """A code made on someone's behalf (a campaign's per-recipient code) counts its redemptions and their revenue
    (the basket less the discount, minor units) on the counter item its creator named, in the same transaction."""
    discount = record.get("discount") or {}
    lines = record.get("lines") or []
    currency = str(discount.get("currency") or (lines[0].get("currency") if lines else "") or "XXX").upper()
    revenue = sum(int(line.get("amount", 0)) for line in lines) - int(discount.get("amount") or 0)
    return {"Update": {"TableName": table, "Key": key(record["attribution_pk"], record["attribution_sk"]),
                       "UpdateExpression": "ADD codes_redeemed :n, #r :r",
                       "ExpressionAttributeNames": {"#r": f"revenue_{currency}"},
                       "ExpressionAttributeValues": values(n=sign, r=sign * revenue)}}


def attribution_put(table: str, property_id: str, email: str, code: str, target: tuple[str, str],
                    until: str) -> dict[str, Any]:
    """A transaction item: this guest's redemptions of `code` (a shared code) until `until` (ISO instant) count on
    the `target` counter item too — written by whoever sent the code (a campaign), read by the redemption's own
    BatchGetItem (no extra round trip). The last sender wins."""
    return {"Put": {"TableName": table, "Item": serialize({
        "pk": keys.guest_pk(property_id, email), "sk": keys.attribution_sk(normalize_code(code)),
        "attribution_pk": target[0], "attribution_sk": target[1], "until": until})}}


def guest_hash(email: str) -> str:
    """Per-guest counters are keyed by a hash of the normalized e-mail, not the address itself."""
    return hashlib.sha256(email.encode()).hexdigest()[:24]


def _promo(item: Item) -> PromoCode:
    return PromoCode.model_validate({k: v for k, v in item.items() if k not in _STORAGE_ONLY})


def _definition_item(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-mode values for storage, None dropped (an absent max_uses means unlimited)."""
    return {k: v for k, v in data.items() if v is not None}


@dataclass
class Slot:
    slot: int
    item: Item | None

    @property
    def promo(self) -> PromoCode | None:
        return _promo(self.item) if self.item else None


@dataclass
class Lookup:
    """Everything a validation or a redemption needs, read in one BatchGetItem."""

    slots: list[Slot]
    property_item: Item | None = None
    client_failures: int = 0
    property_failures: int = 0
    guest_has_stayed: bool = False
    redemption: Item | None = None
    sale_item: Item | None = None  # a private sale whose access code is the typed code
    card_item: Item | None = None  # a partner card whose number is the typed code
    guest_uses: dict[str, int] = field(default_factory=dict)  # promo id -> this guest's uses
    attribution: Item | None = None  # the guest's attribution of this code (attribution_put), if any

    @property
    def candidates(self) -> list[PromoCode]:
        return [p for s in self.slots if (p := s.promo) is not None]

    def slot_of(self, promo_id: str) -> Slot:
        return next(s for s in self.slots if s.item and s.item["id"] == promo_id)


@dataclass
class Redemption:
    booking_id: str
    promo_id: str
    code: str
    status: str
    discount: dict[str, Any]
    lines: list[dict[str, Any]]
    hold_expires_at: str | None = None
    replayed: bool = False

    @classmethod
    def from_item(cls, item: Item, replayed: bool = False) -> Redemption:
        return cls(booking_id=item["booking_id"], promo_id=item["promo_id"], code=item["code"],
                   status=item["status"], discount=item["discount"], lines=item["lines"],
                   hold_expires_at=item.get("hold_expires_at"), replayed=replayed)


class PromoCodeRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    # ------------------------------------------------------------------ reads on the hot path
    def lookup(self, property_id: str, code: str, *, client: str, policy: GuardPolicy, now: datetime,
               guest_email: str | None = None, booking_id: str | None = None, consistent: bool = False) -> Lookup:
        """One BatchGetItem: the property (its time zone), the code's slots, the guard counters, the guest's stays,
        the booking's redemption."""
        counters = Counters(property_id, client, policy, now)
        wanted: dict[str, dict[str, Any]] = {
            f"slot{n}": key(keys.code_pk(property_id, code), keys.slot_sk(n)) for n in range(keys.CODE_SLOTS)}
        wanted["guard_client"], wanted["guard_property"] = counters.keys
        wanted["property"] = property_key(property_id)
        wanted["sale"] = access_code_key(property_id, code)
        wanted["card"] = card_key(property_id, code)
        if guest_email:
            wanted["guest"] = stays_key(property_id, guest_email)
            wanted["attribution"] = key(keys.guest_pk(property_id, guest_email), keys.attribution_sk(code))
        if booking_id:
            wanted["redemption"] = key(keys.booking_pk(property_id, booking_id), keys.REDEMPTION_SK)
        found = self._batch_get(list(wanted.values()), consistent)
        by_key = {(i["pk"], i["sk"]): i for i in found}

        def get(name: str) -> Item | None:
            k = wanted.get(name)
            return by_key.get((k["pk"]["S"], k["sk"]["S"])) if k else None

        slots = [Slot(n, get(f"slot{n}")) for n in range(keys.CODE_SLOTS)]
        client_failures, property_failures = counters.read(by_key)
        result = Lookup(slots=slots,
                        property_item=get("property"),
                        client_failures=client_failures,
                        property_failures=property_failures,
                        guest_has_stayed=bool(set((get("guest") or {}).get("booking_ids", set())) - {booking_id}),
                        redemption=get("redemption"), sale_item=get("sale"), card_item=get("card"),
                        attribution=get("attribution"))
        if guest_email:
            h = guest_hash(guest_email)
            result.guest_uses = {s.item["id"]: int(s.item.get("guest_uses", {}).get(h, 0)) for s in slots if s.item}
        return result

    def _batch_get(self, wanted: list[dict[str, Any]], consistent: bool) -> list[Item]:
        return batch_get(self._client, self._table, wanted, consistent)

    def record_miss(self, property_id: str, client: str, policy: GuardPolicy, now: datetime) -> None:
        """Count an unknown-code attempt for the client and the property (one transaction, two counters)."""
        Counters(property_id, client, policy, now).record_miss(self._client, self._table)

    # ------------------------------------------------------------------ admin
    def create(self, property_id: str, data: PromoCodeInput, promo_id: str, today_local: Any, now: str,
               attribution: tuple[str, str] | None = None) -> PromoCode:
        """`attribution`: the (pk, sk) of a counter item where redemptions of this code are also counted
        (`codes_redeemed`, `revenue_{CUR}`): a campaign's per-recipient codes (revenir.campaigns)."""
        found = self.lookup(property_id, data.code, client="-", policy=GuardPolicy(), now=clock.now(), consistent=True)
        slots = found.slots
        if found.property_item:  # "ended" on the property's calendar
            today_local = clock.local_today(found.property_item["time_zone"])
        clashes = [p for s in slots if (p := s.promo) and not p.archived and p.overlaps(data)]
        if clashes:
            raise Conflict("this code is already in use for an overlapping period", code="code_in_use",
                           details=[{"id": c.id, "valid_from": str(c.valid_from), "valid_until": str(c.valid_until)}
                                    for c in clashes])
        transact: list[dict[str, Any]] = []
        free = next((s for s in slots if s.item is None), None)
        put_condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        version = 1
        if free is None:  # evict the longest-ended or archived code of this string to the archive
            evictable = [s for s in slots if s.promo and (s.promo.archived or s.promo.valid_until < today_local)]
            if not evictable:
                raise Conflict(f"a code string can be scheduled for {keys.CODE_SLOTS} periods at most",
                               code="code_reuse_limit")
            free = min(evictable, key=lambda s: (not (s.promo and s.promo.archived), s.item["valid_until"]))  # type: ignore[index]
            old = dict(free.item or {})
            # The new code's Put replaces the evicted one in its slot (one operation per item in a transaction),
            # on condition that the slot still holds what we read.
            put_condition = {"ConditionExpression": "version = :v", "ExpressionAttributeValues": values(
                v=old["version"])}
            version = int(old["version"]) + 1
            transact.append({"Put": {"TableName": self._table,
                                     "Item": serialize({**old, "pk": keys.promo_archive_pk(property_id),
                                                        "sk": old["id"], "archived_slot": old["sk"]})}})
        for other in slots:
            if other.slot == free.slot:
                continue
            check: dict[str, Any] = {"TableName": self._table,
                                     "Key": key(keys.code_pk(property_id, data.code), keys.slot_sk(other.slot))}
            if other.item:
                check |= {"ConditionExpression": "version = :v", "ExpressionAttributeValues": values(
                    v=other.item["version"])}
            else:
                check["ConditionExpression"] = "attribute_not_exists(pk)"
            transact.append({"ConditionCheck": check})
        promo = PromoCode(id=promo_id, property_id=property_id, uses=0, archived=False, created_at=now,
                          updated_at=now, **data.model_dump())
        item = {"pk": keys.code_pk(property_id, data.code), "sk": keys.slot_sk(free.slot),
                "gsi1pk": keys.promo_list_pk(property_id), "gsi1sk": promo_id, "version": version,
                "guest_uses": {}, **_definition_item(promo.model_dump(mode="json"))}
        if attribution:
            item |= {"attribution_pk": attribution[0], "attribution_sk": attribution[1]}
        transact.append({"Put": {"TableName": self._table, "Item": serialize(item), **put_condition}})
        transact.append(self._name_claim(property_id, data.name, promo_id))
        self._transact(transact, on_conflict=lambda reasons: self._create_conflict(reasons))
        return promo

    def _name_claim(self, property_id: str, name: str, promo_id: str) -> dict[str, Any]:
        return {"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk) OR id = :id",
                        "ExpressionAttributeValues": values(id=promo_id),
                        "Item": serialize({"pk": keys.promo_name_pk(property_id), "sk": name.casefold(),
                                           "id": promo_id}),
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}

    @staticmethod
    def _create_conflict(reasons: list[str]) -> Exception:
        if reasons and reasons[-1] == "ConditionalCheckFailed":
            return Conflict("another promo code already has this name", code="name_taken",
                            details=[{"field": "body.name"}])
        return Conflict("the code changed while saving: try again", code="concurrent_change")

    def _transact(self, items: list[dict[str, Any]], on_conflict: Any) -> None:
        try:
            transact_write(self._client, items)
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            raise on_conflict(cancellation_codes(exc)) from exc

    def _find(self, property_id: str, promo_id: str) -> Item:
        response = self._client.query(
            TableName=self._table, IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk AND gsi1sk = :id",
            ExpressionAttributeValues=values(pk=keys.promo_list_pk(property_id), id=promo_id))
        items = response.get("Items", [])
        if not items:
            raise NotFound(f"promo code {promo_id!r} does not exist", code="promo_code_not_found")
        # The GSI is eventually consistent: re-read the base item for its current version and counters.
        base = deserialize(items[0]) or {}
        fresh = deserialize(self._client.get_item(TableName=self._table, Key=key(base["pk"], base["sk"]),
                                                  ConsistentRead=True).get("Item"))
        if fresh is None or fresh.get("id") != promo_id:
            raise NotFound(f"promo code {promo_id!r} does not exist", code="promo_code_not_found")
        return fresh

    def language(self, property_id: str) -> str | None:
        """The property's language (a CSV export's default), one GetItem."""
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=property_key(property_id), ProjectionExpression="default_language").get("Item"))
        if item is None:
            raise NotFound(f"property {property_id!r} does not exist", code="property_not_found")
        return item.get("default_language")

    def time_zone(self, property_id: str) -> str:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=property_key(property_id), ProjectionExpression="time_zone").get("Item"))
        if item is None:
            raise NotFound(f"property {property_id!r} does not exist", code="property_not_found")
        return str(item["time_zone"])

    def get(self, property_id: str, promo_id: str) -> PromoCode:
        return _promo(self._find(property_id, promo_id))

    def page(self, property_id: str, *, limit: int = 50, cursor: str | None = None,
             public_only: bool = False) -> tuple[list[PromoCode], str | None]:
        kwargs: dict[str, Any] = {
            "TableName": self._table, "IndexName": "gsi1", "Limit": limit, "ScanIndexForward": False,
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": values(pk=keys.promo_list_pk(property_id))}
        if public_only:
            kwargs["FilterExpression"] = "#public = :true AND archived = :false"
            kwargs["ExpressionAttributeNames"] = {"#public": "public"}
            kwargs["ExpressionAttributeValues"] |= values(true=True, false=False)
        if cursor:
            try:
                start = json.loads(base64.urlsafe_b64decode(cursor.encode()))
                if not isinstance(start, dict) or set(start) != {"pk", "sk", "gsi1pk", "gsi1sk"}:
                    raise ValueError("not a key")
                kwargs["ExclusiveStartKey"] = start
            except ValueError as exc:
                raise InvalidInput("cursor is not valid", code="invalid_cursor") from exc
        page = self._client.query(**kwargs)
        promos = [_promo(deserialize(i) or {}) for i in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        next_cursor = base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None
        return promos, next_cursor

    def update(self, property_id: str, promo_id: str, patch: PromoCodeUpdate, now: str) -> PromoCode:
        current = self._find(property_id, promo_id)
        changes = patch.model_dump(mode="json", exclude_unset=True)
        merged = _promo({**current, **changes, "updated_at": now})  # validates windows and rules together
        transact: list[dict[str, Any]] = []
        if "valid_from" in changes or "valid_until" in changes:
            siblings = self.lookup(property_id, merged.code, client="-", policy=GuardPolicy(), now=clock.now(),
                                   consistent=True).slots
            for s in siblings:
                other = s.promo
                if other is None:  # an empty slot must stay empty: a concurrent create could overlap
                    transact.append({"ConditionCheck": {
                        "TableName": self._table, "Key": key(keys.code_pk(property_id, merged.code),
                                                              keys.slot_sk(s.slot)),
                        "ConditionExpression": "attribute_not_exists(pk)"}})
                    continue
                if other.id == promo_id:
                    continue
                if not other.archived and other.overlaps(merged):
                    raise Conflict("this code is already in use for an overlapping period", code="code_in_use",
                                   details=[{"id": other.id}])
                transact.append({"ConditionCheck": {
                    "TableName": self._table, "Key": key(s.item["pk"], s.item["sk"]),  # type: ignore[index]
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": values(v=s.item["version"])}})  # type: ignore[index]
        new = _definition_item(merged.model_dump(mode="json", include=set(_DEFINITION)))
        removed = [f for f in _DEFINITION if f not in new]
        names = {f"#{f}": f for f in (*new, *removed)}
        expression = "SET " + ", ".join(f"#{f} = :{f}" for f in new) + ", updated_at = :now, version = version + :one"
        if removed:
            expression += " REMOVE " + ", ".join(f"#{f}" for f in removed)
        transact.append({"Update": {
            "TableName": self._table, "Key": key(current["pk"], current["sk"]), "UpdateExpression": expression,
            "ConditionExpression": "version = :v", "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values(now=now, one=1, v=current["version"], **new)}})
        # An archived code no longer holds its name: only a live code moves its claim.
        if merged.name.casefold() != current["name"].casefold() and not current.get("archived"):
            transact.append({"Delete": {
                "TableName": self._table, "Key": key(keys.promo_name_pk(property_id), current["name"].casefold()),
                "ConditionExpression": "attribute_not_exists(pk) OR id = :id",
                "ExpressionAttributeValues": values(id=promo_id)}})
            transact.append(self._name_claim(property_id, merged.name, promo_id))
        self._transact(transact, on_conflict=self._create_conflict)
        return merged

    def archive(self, property_id: str, promo_id: str, now: str) -> None:
        """Archived codes stop working and free their name and string; they and their history stay."""
        current = self._find(property_id, promo_id)
        if current.get("archived"):
            return
        self._transact([
            {"Update": {"TableName": self._table, "Key": key(current["pk"], current["sk"]),
                        "UpdateExpression": "SET archived = :true, updated_at = :now, version = version + :one",
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": values(true=True, now=now, one=1, v=current["version"])}},
            {"Delete": {"TableName": self._table,
                        "Key": key(keys.promo_name_pk(property_id), current["name"].casefold()),
                        "ConditionExpression": "attribute_not_exists(pk) OR id = :id",
                        "ExpressionAttributeValues": values(id=promo_id)}},
        ], on_conflict=lambda _: Conflict("the code changed while archiving: try again", code="concurrent_change"))

    def record_sent(self, property_id: str, promo_id: str, recipient: dict[str, Any], now: str) -> None:
        self._client.put_item(TableName=self._table, Item=serialize({
            "pk": keys.promo_sent_pk(property_id, promo_id), "sk": f"{now}#{recipient['email']}",
            **recipient, "sent_at": now}))

    def sent_to(self, property_id: str, promo_id: str) -> list[dict[str, Any]]:
        response = self._client.query(TableName=self._table, KeyConditionExpression="pk = :pk",
                                      ExpressionAttributeValues=values(pk=keys.promo_sent_pk(property_id, promo_id)))
        return [{k: v for k, v in (deserialize(i) or {}).items() if k not in ("pk", "sk")}
                for i in response.get("Items", [])]

    # ------------------------------------------------------------------ redemptions
    def redeem(self, property_id: str, slot: Slot, request: RedeemRequest, discount: dict[str, Any],
               lines: list[dict[str, Any]], now: datetime, previous: Item | None,
               time_zone: str | None = None, attribution: Item | None = None) -> Redemption:
        """One transaction: the code's counters (conditions re-checked inside DynamoDB), the redemption record,
        the guest's stay count. Limits hold under any concurrency."""
        promo = slot.item or {}
        status = "held" if request.hold else "confirmed"
        record: dict[str, Any] = {
            "pk": keys.booking_pk(property_id, request.booking_id), "sk": keys.REDEMPTION_SK,
            "booking_id": request.booking_id, "property_id": property_id, "promo_id": promo["id"],
            "code": promo["code"], "promo_pk": promo["pk"], "promo_sk": promo["sk"], "status": status,
            "discount": discount, "lines": lines, "created_at": clock.iso(now), "request_id": secrets.token_hex(8),
            "stats_month": stats.month_of(time_zone, now),
            "booking_total": _booking_total([li.model_dump() for li in request.lines])}
        if request.guest_email:
            record |= {"guest_email": request.guest_email, "guest_hash": guest_hash(request.guest_email)}
        usage = _usage_put(self._table, record, time_zone, now)
        if request.hold:
            expires = clock.iso(now + timedelta(minutes=request.hold_minutes))
            record |= {"hold_expires_at": expires, "gsi1pk": queues.queue_pk(keys.HOLDS_QUEUE, property_id),
                       "gsi1sk": f"{expires}#{property_id}#{request.booking_id}"}
        counter_set = "uses = uses + :one"
        condition = ("attribute_exists(pk) AND id = :id AND archived = :false "
                     "AND (attribute_not_exists(max_uses) OR uses < max_uses)")
        names: dict[str, str] = {}
        vals = values(one=1, id=promo["id"], false=False)
        if request.guest_email:
            names["#g"] = guest_hash(request.guest_email)
            counter_set += ", guest_uses.#g = if_not_exists(guest_uses.#g, :zero) + :one"
            condition += (" AND (attribute_not_exists(max_uses_per_guest) OR attribute_not_exists(guest_uses.#g)"
                          " OR guest_uses.#g < max_uses_per_guest)")
            vals |= values(zero=0)
        update: dict[str, Any] = {
            "TableName": self._table, "Key": key(promo["pk"], promo["sk"]), "UpdateExpression": f"SET {counter_set}",
            "ConditionExpression": condition, "ExpressionAttributeValues": vals,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        if names:
            update["ExpressionAttributeNames"] = names
        items: list[dict[str, Any]] = [
            {"Update": update},
            {"Put": {"TableName": self._table, "Item": serialize(record),
                     "ConditionExpression": "attribute_not_exists(pk) OR #s = :released",
                     "ExpressionAttributeNames": {"#s": "status"},
                     "ExpressionAttributeValues": values(released="released"),
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ]
        items.append(_stats_update(self._table, property_id, record, +1))
        target = promo if promo.get("attribution_pk") else attribution  # the code's own, else the guest's
        in_window = target is promo or str((target or {}).get("until", "")) >= clock.iso(now)
        if target and target.get("attribution_pk") and in_window:
            record |= {"attribution_pk": target["attribution_pk"], "attribution_sk": target["attribution_sk"]}
            items[1]["Put"]["Item"] = serialize(record)
            items.append(_attribution_update(self._table, record, +1))
        items += [usage, _redeemed_event(self._table, record, now)]
        if request.guest_email:
            items.append(link_put(self._table, property_id, request.guest_email, "REDEMPTION", request.booking_id))
            items.append(stays_update(self._table, property_id, request.guest_email, request.booking_id, add=True))
        try:
            transact_write(self._client, items)
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons, olds = cancellation_codes(exc), cancellation_items(exc)
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed" and olds[1]:
                # The same booking won a concurrent race — or this very write landed and the SDK retried it after a
                # lost response (DynamoDB would honour the transaction's token; emulators do not): then it is ours.
                return Redemption.from_item(olds[1], replayed=olds[1].get("request_id") != record["request_id"])
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise Conflict(self._why_refused(olds[0], request), code=self._why_refused(olds[0], request)) from exc
            if "TransactionConflict" in reasons:
                raise Conflict("too many simultaneous uses of this code: try again", code="concurrent_change") from exc
            raise
        return Redemption.from_item(record)

    def redeem_plain(self, property_id: str, request: RedeemRequest, kind: str, code: str, ref: str,
                     discount: dict[str, Any], lines: list[dict[str, Any]], now: datetime,
                     time_zone: str | None = None) -> Redemption:
        """A private sale or a partner card: no use counter to enforce, once per booking."""
        status = "held" if request.hold else "confirmed"
        record: dict[str, Any] = {
            "pk": keys.booking_pk(property_id, request.booking_id), "sk": keys.REDEMPTION_SK, "kind": kind,
            "booking_id": request.booking_id, "property_id": property_id, "promo_id": ref, "code": code,
            "status": status, "discount": discount, "lines": lines, "created_at": clock.iso(now),
            "request_id": secrets.token_hex(8), "stats_month": stats.month_of(time_zone, now),
            "booking_total": _booking_total([li.model_dump() for li in request.lines])}
        if request.guest_email:
            record["guest_email"] = request.guest_email
        usage = _usage_put(self._table, record, time_zone, now)
        if request.hold:
            expires = clock.iso(now + timedelta(minutes=request.hold_minutes))
            record |= {"hold_expires_at": expires, "gsi1pk": queues.queue_pk(keys.HOLDS_QUEUE, property_id),
                       "gsi1sk": f"{expires}#{property_id}#{request.booking_id}"}
        items: list[dict[str, Any]] = [{"Put": {
            "TableName": self._table, "Item": serialize(record),
            "ConditionExpression": "attribute_not_exists(pk) OR #s = :released",
            "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": values(released="released"),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]
        if request.guest_email:
            items.append(link_put(self._table, property_id, request.guest_email, "REDEMPTION", request.booking_id))
        if kind == "partner_card":
            items.append(card_uses_update(self._table, property_id, code, 1))
        items.append(_stats_update(self._table, property_id, record, +1))
        items += [usage, _redeemed_event(self._table, record, now)]
        try:
            transact_write(self._client, items)
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            olds = cancellation_items(exc)
            if cancellation_codes(exc)[0] == "ConditionalCheckFailed" and olds[0]:
                return Redemption.from_item(olds[0], replayed=olds[0].get("request_id") != record["request_id"])
            raise
        return Redemption.from_item(record)

    @staticmethod
    def _why_refused(old: Item | None, request: RedeemRequest) -> str:
        if old is None or old.get("archived"):
            return "unknown"
        if old.get("max_uses") is not None and old.get("uses", 0) >= old["max_uses"]:
            return "exhausted"
        limit = old.get("max_uses_per_guest")
        used = old.get("guest_uses", {}).get(guest_hash(request.guest_email or ""), 0)
        if request.guest_email and limit is not None and used >= limit:
            return "guest_limit_reached"
        return "exhausted"

    def get_redemption(self, property_id: str, booking_id: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.booking_pk(property_id, booking_id), keys.REDEMPTION_SK),
            ConsistentRead=True).get("Item"))

    def confirm(self, property_id: str, booking_id: str, now: datetime) -> Redemption:
        try:
            result = self._client.update_item(
                TableName=self._table, Key=key(keys.booking_pk(property_id, booking_id), keys.REDEMPTION_SK),
                UpdateExpression="SET #s = :confirmed, confirmed_at = :now REMOVE gsi1pk, gsi1sk",
                ConditionExpression="#s = :held AND hold_expires_at > :now",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(confirmed="confirmed", held="held", now=clock.iso(now)),
                ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            old = deserialize(getattr(exc, "response", {}).get("Item"))
            if old is None:
                raise NotFound(f"booking {booking_id!r} has no promo-code redemption",
                               code="redemption_not_found") from exc
            if old["status"] == "confirmed":
                return Redemption.from_item(old, replayed=True)
            if old["status"] == "held":  # expired: give the use back now rather than wait for the sweeper
                self.release(property_id, booking_id, now, only_expired_hold=True)
                raise Conflict("the hold expired: the code's use was given back", code="hold_expired") from exc
            raise Conflict("this redemption was released", code="redemption_released") from exc
        return Redemption.from_item(deserialize(result["Attributes"]) or {})

    def release(self, property_id: str, booking_id: str, now: datetime, *, only_expired_hold: bool = False) -> bool:
        """Give the use back (cancelled booking, failed or abandoned payment, expired hold). Idempotent:
        returns False when there was nothing left to release."""
        record = self.get_redemption(property_id, booking_id)
        if record is None:
            raise NotFound(f"booking {booking_id!r} has no promo-code redemption", code="redemption_not_found")
        if record["status"] == "released":
            return False
        condition = "#s = :status"
        # An expired hold is released only if it is still held (never a redemption confirmed meanwhile).
        vals = values(status="held" if only_expired_hold else record["status"], released="released",
                      now=clock.iso(now))
        if only_expired_hold:
            condition += " AND hold_expires_at <= :now"
        items: list[dict[str, Any]] = [{"Update": {
            "TableName": self._table, "Key": key(record["pk"], record["sk"]),
            "UpdateExpression": "SET #s = :released, released_at = :now REMOVE gsi1pk, gsi1sk",
            "ConditionExpression": condition, "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": vals}}]
        kind = record.get("kind", "promo_code")
        if kind == "promo_code":
            counters = "uses = uses - :one"
            names: dict[str, str] = {}
            if record.get("guest_hash"):
                counters += ", guest_uses.#g = guest_uses.#g - :one"
                names["#g"] = record["guest_hash"]
            promo_key = key(record["promo_pk"], record["promo_sk"])
            update: dict[str, Any] = {
                "TableName": self._table, "Key": promo_key, "UpdateExpression": f"SET {counters}",
                "ConditionExpression": "id = :id AND uses > :zero",
                "ExpressionAttributeValues": values(one=1, zero=0, id=record["promo_id"])}
            if names:
                update["ExpressionAttributeNames"] = names
            items.append({"Update": update})
        elif kind == "partner_card":
            items.append(card_uses_update(self._table, property_id, record["code"], -1))
        if record.get("guest_email") and kind == "promo_code":
            items.append(stays_update(self._table, property_id, record["guest_email"], booking_id, add=False))
        counted = [_stats_update(self._table, property_id, record, -1)] if record.get("stats_month") else []
        # the dashboard's counters of the redemption's month, the usage report, the code.released event and the
        # campaign's attributed redemptions (revenir.campaigns)
        counted += _usage_release(self._table, record, now)
        counted.append(outbox_put(self._table, property_id, "code.released", {
            **record, "kind": kind, "reason": "hold_expired" if only_expired_hold else "released"}, now))
        if record.get("attribution_pk"):
            counted.append(_attribution_update(self._table, record, -1))
        items += counted
        try:
            transact_write(self._client, items)
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons = cancellation_codes(exc)
            if reasons[0] == "ConditionalCheckFailed":
                return False  # released (or confirmed) meanwhile by another caller
            if kind == "promo_code" and reasons[1] == "ConditionalCheckFailed":  # the code moved to the archive
                transact_write(self._client, [items[0], *counted])
                return True
            raise
        return True

    def expired_holds(self, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
        """(property_id, booking_id) of holds past their expiry, read from the expiry index only."""
        return [(item["property_id"], item["booking_id"]) for item in queues.due(
            self._client, self._table, keys.HOLDS_QUEUE, clock.iso(now), limit, queues.rotation_of(now))]

    # ------------------------------------------------------------------ usage report (revenir.codes.usage)
    def usage(self, property_id: str, promo_id: str, date_from: str | None, date_to: str | None) -> list[Item]:
        """The code's usage items in the period (local days, inclusive), oldest first. A held one takes its
        redemption record's status (a confirmation writes only the record: one round trip on the hot path)."""
        condition, vals = "pk = :pk", values(pk=keys.usage_pk(property_id, promo_id))
        if date_from or date_to:
            condition += " AND sk BETWEEN :a AND :b"
            vals |= values(a=date_from or "0000", b=f"{date_to or '9999'}#~")
        items = query_all(self._client, TableName=self._table, KeyConditionExpression=condition,
                          ExpressionAttributeValues=vals)
        held = [i for i in items if i.get("status") == "held"]
        for start in range(0, len(held), 100):
            chunk = held[start:start + 100]
            records = batch_get(self._client, self._table,
                                [key(keys.booking_pk(property_id, i["booking_id"]), keys.REDEMPTION_SK) for i in chunk])
            by_booking = {r["booking_id"]: r for r in records if r.get("usage_sk")}
            for item in chunk:
                record = by_booking.get(item["booking_id"])
                if record is not None and record["usage_sk"] == item["sk"]:
                    item["status"] = record["status"]
        return items

    # ------------------------------------------------------------------ GDPR (revenir.guests.gdpr.GuestDataHolder)
    def export_guest(self, guest: GuestRef) -> dict[str, Any]:
        redemptions = [self.get_redemption(guest.property_id, b) for b in sorted(guest.booking_ids)]
        return {"promo_code_redemptions": [public(r) for r in redemptions
                                           if r and r.get("guest_email") == guest.email]}

    def erase_guest(self, guest: GuestRef) -> dict[str, int]:
        """Redemptions keep their figures but lose the address; the address leaves every code's per-guest
        counters and "sent to" lists."""
        now = clock.iso(clock.now())
        for booking_id in guest.booking_ids:
            redemption = self.get_redemption(guest.property_id, booking_id)
            if redemption and redemption.get("guest_email") == guest.email:
                self._client.update_item(
                    TableName=self._table, Key=key(keys.booking_pk(guest.property_id, booking_id), keys.REDEMPTION_SK),
                    UpdateExpression="SET erased_at = :now REMOVE guest_email, guest_hash",
                    ExpressionAttributeValues=values(now=now))
                if redemption.get("usage_sk"):  # the usage report's copy of the address
                    try:
                        self._client.update_item(
                            TableName=self._table, Key=key(keys.usage_pk(guest.property_id, redemption["promo_id"]),
                                                           redemption["usage_sk"]),
                            UpdateExpression="REMOVE guest_email", ConditionExpression="attribute_exists(pk)")
                    except Exception as exc:
                        if error_code(exc) != "ConditionalCheckFailedException":
                            raise
        return {"promo_code_traces_removed": self._erase_traces(guest.property_id, guest.email)}

    def _erase_traces(self, property_id: str, email: str) -> int:
        removed, email_hash = 0, guest_hash(email)
        promos = query_all(self._client, TableName=self._table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                           ExpressionAttributeValues=values(pk=keys.promo_list_pk(property_id)))
        for promo in promos:
            if email_hash in (promo.get("guest_uses") or {}):
                self._client.update_item(TableName=self._table, Key=key(promo["pk"], promo["sk"]),
                                         UpdateExpression="REMOVE guest_uses.#g",
                                         ExpressionAttributeNames={"#g": email_hash})
                removed += 1
            sent = query_all(self._client, TableName=self._table, KeyConditionExpression="pk = :pk",
                             ExpressionAttributeValues=values(pk=keys.promo_sent_pk(property_id, promo["id"])))
            for item in sent:
                if item.get("email") == email:
                    self._client.delete_item(TableName=self._table, Key=key(item["pk"], item["sk"]))
                    removed += 1
        return removed


__all__ = ["Lookup", "PromoCodeRepository", "Redemption", "Slot", "guest_hash", "to_attr"]
