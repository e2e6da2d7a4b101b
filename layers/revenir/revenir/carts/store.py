"""Carts, their reminders' state, the property's reminder settings and daily counters."""

from __future__ import annotations

from typing import Any

from revenir.carts import keys
from revenir.carts.models import Cart, CartSettings
from revenir.core import clock
from revenir.core.errors import Conflict, NotFound
from revenir.events.outbox import outbox_put
from revenir.guests.gdpr import GuestRef
from revenir.table.dynamodb import (
    DynamoDBClient,
    Item,
    cancellation_codes,
    deserialize,
    error_code,
    key,
    public,
    query_all,
    serialize,
    transact_write,
    values,
)


class CartRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    def create(self, cart: Cart) -> tuple[Cart, bool]:
        """Store a new cart; the same cart_id again returns the stored one (created False)."""
        data = {k: v for k, v in cart.model_dump(mode="json").items() if v is not None}
        try:
            self._client.put_item(TableName=self._table, ConditionExpression="attribute_not_exists(pk)",
                                  Item=serialize({"pk": keys.cart_pk(cart.property_id, cart.cart_id),
                                                  "sk": keys.CART_SK, **data}),
                                  ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            old = deserialize(getattr(exc, "response", {}).get("Item")) or {}
            return Cart.model_validate(old), False
        self._client.put_item(TableName=self._table, Item=serialize({  # for the guest's GDPR export and erasure
            "pk": keys.guest_pk(cart.property_id, cart.email), "sk": keys.guest_link_sk("CART", cart.cart_id),
            "cart_id": cart.cart_id}))
        return cart, True

    def get(self, property_id: str, cart_id: str) -> Cart:
        item = deserialize(self._client.get_item(TableName=self._table, ConsistentRead=True,
                                                 Key=key(keys.cart_pk(property_id, cart_id), keys.CART_SK)).get("Item"))
        if item is None:
            raise NotFound(f"cart {cart_id!r} does not exist", code="cart_not_found")
        return Cart.model_validate(item)

    def set_status(self, property_id: str, cart_id: str, status: str, now: str,
                   booking_id: str | None) -> tuple[Cart, Cart]:
        """(before, after). Paid after a reminder marks the cart recovered."""
        sets = "#s = :s, updated_at = :now"
        vals = values(s=status, now=now)
        if booking_id:
            sets += ", booking_id = :b"
            vals |= values(b=booking_id)
        condition = "attribute_exists(pk)"
        if status != "paid":  # paid is final: a late "abandoned" must not bring reminders to a paying guest
            condition += " AND #s <> :paid"
            vals |= values(paid="paid")
        try:
            result = self._client.update_item(
                TableName=self._table, Key=key(keys.cart_pk(property_id, cart_id), keys.CART_SK),
                UpdateExpression=f"SET {sets}", ConditionExpression=condition,
                ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues=vals,
                ReturnValues="ALL_OLD", ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                if getattr(exc, "response", {}).get("Item"):
                    raise Conflict("this cart is already paid", code="cart_already_paid") from exc
                raise NotFound(f"cart {cart_id!r} does not exist", code="cart_not_found") from exc
            raise
        before = Cart.model_validate(deserialize(result["Attributes"]) or {})
        recovered = status == "paid" and before.reminded_at is not None
        if recovered and not before.recovered:
            self.mark_recovered(property_id, cart_id, before, booking_id)
        after = before.model_copy(update={"status": status, "updated_at": now,
                                          "recovered": recovered or before.recovered})
        return before, after

    def mark_recovered(self, property_id: str, cart_id: str, cart: Cart | None = None,
                       booking_id: str | None = None) -> None:
        """Recovered once, with the cart.recovered event in the same transaction (issue 17: webhooks)."""
        data: dict[str, Any] = {"cart_id": cart_id, "booking_id": booking_id}
        if cart is not None and cart.total is not None:
            data["total"] = {"amount": cart.total, "currency": cart.currency}
        try:
            transact_write(self._client, [
                {"Update": {"TableName": self._table, "Key": key(keys.cart_pk(property_id, cart_id), keys.CART_SK),
                            "UpdateExpression": "SET recovered = :t",
                            "ConditionExpression": "attribute_not_exists(recovered) OR recovered <> :t",
                            "ExpressionAttributeValues": values(t=True)}},
                outbox_put(self._table, property_id, "cart.recovered", data)])
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException" or \
                    cancellation_codes(exc)[:1] != ["ConditionalCheckFailed"]:
                raise

    def set_code(self, property_id: str, cart_id: str, code: str, valid_until: str) -> str:
        """Record the recovery code (and its last day) once; a retry keeps the first."""
        result = self._client.update_item(
            TableName=self._table, Key=key(keys.cart_pk(property_id, cart_id), keys.CART_SK),
            UpdateExpression="SET recovery_code = if_not_exists(recovery_code, :c), "
                             "recovery_code_valid_until = if_not_exists(recovery_code_valid_until, :u)",
            ExpressionAttributeValues=values(c=code, u=valid_until), ReturnValues="ALL_NEW")
        return str((deserialize(result["Attributes"]) or {})["recovery_code"])

    def claim_reminder(self, property_id: str, cart_id: str, kind: str, now: str) -> bool:
        """Take the right to send this reminder: once per cart and kind, whatever retries happen."""
        try:
            self._client.update_item(
                TableName=self._table, Key=key(keys.cart_pk(property_id, cart_id), keys.CART_SK),
                UpdateExpression="SET reminders.#k = :sending",
                ConditionExpression="attribute_not_exists(reminders.#k) AND #s <> :paid",
                ExpressionAttributeNames={"#k": kind, "#s": "status"},
                ExpressionAttributeValues=values(sending="sending", paid="paid"))
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def finish_reminder(self, property_id: str, cart_id: str, kind: str, status: str, now: str) -> None:
        if status == "failed":  # the send failed: free the claim so the state machine's retry can send it
            self._client.update_item(
                TableName=self._table, Key=key(keys.cart_pk(property_id, cart_id), keys.CART_SK),
                UpdateExpression="REMOVE reminders.#k", ExpressionAttributeNames={"#k": kind})
            return
        self._client.update_item(
            TableName=self._table, Key=key(keys.cart_pk(property_id, cart_id), keys.CART_SK),
            UpdateExpression="SET reminders.#k = :st, reminded_at = if_not_exists(reminded_at, :now)"
            if status == "sent" else "SET reminders.#k = :st",
            ExpressionAttributeNames={"#k": kind},
            ExpressionAttributeValues=values(st=status, now=now) if status == "sent" else values(st=status))

    # ------------------------------------------------------------------ settings and figures
    def settings(self, property_id: str) -> CartSettings:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.property_pk(property_id), keys.CART_SETTINGS_SK)).get("Item"))
        return CartSettings.model_validate({k: v for k, v in (item or {}).items() if k not in ("pk", "sk")})

    def put_settings(self, property_id: str, settings: CartSettings) -> None:
        self._client.put_item(TableName=self._table, Item=serialize({
            "pk": keys.property_pk(property_id), "sk": keys.CART_SETTINGS_SK,
            **{k: v for k, v in settings.model_dump().items() if v is not None}}))

    def count(self, property_id: str, day: str, **counters: int) -> None:
        names = {f"#{k}": k for k in counters}
        self._client.update_item(
            TableName=self._table, Key=key(keys.cart_stats_pk(property_id), day),
            UpdateExpression="ADD " + ", ".join(f"#{k} :{k}" for k in counters),
            ExpressionAttributeNames=names, ExpressionAttributeValues=values(**counters))

    def stats(self, property_id: str, day_from: str, day_to: str) -> list[Item]:
        return query_all(self._client, TableName=self._table,
                         KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
                         ExpressionAttributeValues=values(pk=keys.cart_stats_pk(property_id), a=day_from, b=day_to))

    # ------------------------------------------------------------------ GDPR (revenir.guests.gdpr.GuestDataHolder)
    def _guest_carts(self, guest: GuestRef) -> list[Item]:
        carts = (deserialize(self._client.get_item(TableName=self._table, ConsistentRead=True,
                                                   Key=key(keys.cart_pk(guest.property_id, c), keys.CART_SK))
                             .get("Item")) for c in guest.links.get("CART", ()))
        return [c for c in carts if c and c.get("email") == guest.email]

    def export_guest(self, guest: GuestRef) -> dict[str, Any]:
        return {"carts": [public(c) for c in self._guest_carts(guest)]}

    def erase_guest(self, guest: GuestRef) -> dict[str, int]:
        """Abandoned carts keep their figures; the person is gone."""
        import secrets

        carts = self._guest_carts(guest)
        for cart in carts:
            self._client.update_item(
                TableName=self._table, Key=key(cart["pk"], cart["sk"]),
                UpdateExpression="SET email = :e, first_name = :dash, erased_at = :now REMOVE last_name",
                ExpressionAttributeValues=values(e=f"erased-{secrets.token_hex(6)}@invalid", dash="-",
                                                 now=clock.iso(clock.now())))
        return {"carts_anonymised": len(carts)}
