"""Pending payments in the single table: one item per booking (its partition), queued on gsi1 by due instant
while payable. Every change is one conditional write on the item's status, so replays and races change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from revenir.core import clock
from revenir.guests.gdpr import GuestRef
from revenir.pending import keys
from revenir.pending.models import PAYABLE
from revenir.table import queues
from revenir.table.dynamodb import DynamoDBClient, Item, deserialize, error_code, key, serialize, values

_PAYABLE_CONDITION = "#s IN (:pending, :failed)"


class PendingPaymentRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    def _key(self, property_id: str, booking_id: str) -> dict[str, Any]:
        return key(keys.pending_pk(property_id, booking_id), keys.PENDING_SK)

    def get(self, property_id: str, booking_id: str) -> Item | None:
        return deserialize(self._client.get_item(TableName=self._table, Key=self._key(property_id, booking_id),
                                                 ConsistentRead=True).get("Item"))

    def create(self, property_id: str, booking_id: str, item: dict[str, Any], due_instant: str) -> tuple[Item, bool]:
        """(the item, created?): a booking has one pending payment; a replay returns the stored one."""
        full = {"pk": keys.pending_pk(property_id, booking_id), "sk": keys.PENDING_SK, **item,
                "gsi1pk": queues.queue_pk(keys.DUE_QUEUE, property_id),
                "gsi1sk": f"{due_instant}#{property_id}#{booking_id}"}
        try:
            self._client.put_item(TableName=self._table, Item=serialize(full),
                                  ConditionExpression="attribute_not_exists(pk)")
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return self.get(property_id, booking_id) or full, False
        return full, True

    def _update(self, property_id: str, booking_id: str, expression: str, condition: str,
                **vals: Any) -> Item | None:
        """The item after the update, or None when its condition failed."""
        try:
            answer = self._client.update_item(
                TableName=self._table, Key=self._key(property_id, booking_id), UpdateExpression=expression,
                ConditionExpression=condition, ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(**vals), ReturnValues="ALL_NEW")
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return None
        return deserialize(answer.get("Attributes"))

    def attach_intent(self, property_id: str, booking_id: str, intent_id: str, client_secret: str,
                      now: datetime) -> Item | None:
        return self._update(property_id, booking_id,
                            "SET payment_intent_id = :pi, client_secret = :cs, updated_at = :now",
                            "attribute_exists(pk) AND #s = :s", pi=intent_id, cs=client_secret, now=clock.iso(now),
                            s="pending")

    def set_code(self, property_id: str, booking_id: str, code: dict[str, Any], discount: int, amount: int,
                 fee: int, now: datetime) -> Item | None:
        return self._update(property_id, booking_id,
                            "SET code = :c, discount = :d, amount = :a, application_fee_amount = :f, updated_at = :now",
                            f"attribute_not_exists(code) AND {_PAYABLE_CONDITION}", c=code, d=discount, a=amount,
                            f=fee, now=clock.iso(now), pending="pending", failed="failed")

    def clear_code(self, property_id: str, booking_id: str, amount: int, fee: int, now: datetime) -> Item | None:
        return self._update(property_id, booking_id,
                            "SET discount = :zero, amount = :a, application_fee_amount = :f, updated_at = :now "
                            "REMOVE code", f"attribute_exists(code) AND {_PAYABLE_CONDITION}", zero=0, a=amount, f=fee,
                            now=clock.iso(now), pending="pending", failed="failed")

    def transition(self, property_id: str, booking_id: str, to: str, now: datetime, **extra: Any) -> Item | None:
        """From a payable state to `to`; a final state leaves the due queue. None if it was not payable."""
        sets = ", ".join(f"{name} = :{name}" for name in extra)
        expression = "SET #s = :to, updated_at = :now" + (f", {sets}" if sets else "")
        if to not in PAYABLE:
            expression += " REMOVE gsi1pk, gsi1sk"
        return self._update(property_id, booking_id, expression, f"attribute_exists(pk) AND {_PAYABLE_CONDITION}",
                            to=to, now=clock.iso(now), pending="pending", failed="failed", **extra)

    def due(self, now: datetime, limit: int = 100) -> Iterator[tuple[str, str]]:
        """(property, booking) of payable pending payments whose due date has passed (gsi1, no scan)."""
        for item in queues.due(self._client, self._table, keys.DUE_QUEUE, clock.iso(now), limit,
                               rotation=now.minute):
            _, property_id, booking_id = str(item["gsi1sk"]).split("#", 2)
            yield property_id, booking_id

    # ---------------------------------------------------------------- GDPR (revenir.guests.gdpr.GuestDataHolder)
    def export_guest(self, guest: GuestRef) -> dict[str, Any]:
        """The guest's pending payments, found through their bookings (one read each)."""
        out = []
        for booking_id in sorted(guest.booking_ids):
            item = self.get(guest.property_id, booking_id)
            if item and item.get("guest_email") == guest.email:
                out.append({k: v for k, v in item.items()
                            if k not in ("pk", "sk", "gsi1pk", "gsi1sk", "client_secret")})
        return {"pending_payments": out}

    def erase_guest(self, guest: GuestRef) -> dict[str, int]:
        """The guest's address leaves their pending payments (the amounts stay: the host's accounts)."""
        erased = 0
        for booking_id in sorted(guest.booking_ids):
            item = self.get(guest.property_id, booking_id)
            if item and item.get("guest_email") == guest.email:
                self._client.update_item(TableName=self._table, Key=self._key(guest.property_id, booking_id),
                                         UpdateExpression="REMOVE guest_email")
                erased += 1
        return {"pending_payments": erased}
