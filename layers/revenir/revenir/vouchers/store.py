"""Gift vouchers in the single table: catalog, orders, exactly-once issuing, the ledger, redemptions in one
transaction, deliveries on a due-time index, CSV imports in chunked transactions. Layout: voucher_keys."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from revenir.core import clock, ids
from revenir.core.errors import Conflict, InvalidInput, NotFound
from revenir.events.outbox import outbox_put
from revenir.guard.store import Counters
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
    serialize,
    transact_write,
    values,
)
from revenir.vouchers import codes as voucher_codes
from revenir.vouchers import keys as vk
from revenir.vouchers.models import (
    STATUSES,
    GiftProduct,
    GiftProductInput,
    Voucher,
    VoucherRedeemRequest,
    VoucherRedemptionOut,
    end_instant,
    status_of,
)

_STORAGE = {"pk", "sk", "gsi1pk", "gsi1sk", "expires_at", "voided", "voided_amount", "updated_at", "issue_note"}


def _product(item: Item) -> GiftProduct:
    return GiftProduct.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})


def voucher_out(item: Item, today: date) -> Voucher:
    data = {k: v for k, v in item.items() if k not in _STORAGE}
    return Voucher.model_validate({**data, "code": voucher_codes.display(item["code"]),
                                   "status": status_of(item, today)})


def _encode_cursor(last: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None


def _decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        assert isinstance(value, dict)
        return value
    except Exception as exc:
        raise InvalidInput("this cursor is not valid", code="invalid_cursor") from exc


@dataclass
class NewVoucher:
    """Everything needed to write a voucher and its issue entry."""

    code: str
    product: GiftProduct
    value: int
    valid_until: date
    purchased_at: str
    source: str
    order_id: str | None = None
    order_number: str | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    recipient_name: str | None = None
    recipient_email: str | None = None
    note: str | None = None


@dataclass
class ImportOutcome:
    row: int
    status: str  # imported, unchanged, code_taken
    code: str


class VoucherRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    # ------------------------------------------------------------------ catalog
    def put_product(self, property_id: str, product: GiftProduct, *, must_exist: bool = False) -> GiftProduct:
        item = {"pk": vk.product_pk(property_id), "sk": vk.product_sk(product.id),
                **{k: v for k, v in product.model_dump(mode="json").items() if v is not None}}
        kwargs: dict[str, Any] = {"TableName": self._table, "Item": serialize(item)}
        kwargs["ConditionExpression"] = "attribute_exists(pk)" if must_exist else "attribute_not_exists(pk)"
        try:
            self._client.put_item(**kwargs)
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            if must_exist:
                raise NotFound(f"gift product {product.id!r} does not exist", code="gift_product_not_found") from exc
            raise Conflict("this gift product already exists", code="concurrent_change") from exc
        return product

    def get_product(self, property_id: str, product_id: str) -> GiftProduct:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(vk.product_pk(property_id), vk.product_sk(product_id))).get("Item"))
        if item is None:
            raise NotFound(f"gift product {product_id!r} does not exist", code="gift_product_not_found")
        return _product(item)

    def list_products(self, property_id: str) -> list[GiftProduct]:
        out: list[GiftProduct] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table, "KeyConditionExpression": "pk = :pk AND begins_with(sk, :p)",
            "ExpressionAttributeValues": values(pk=vk.product_pk(property_id), p=vk.PRODUCT_PREFIX)}
        while True:
            page = self._client.query(**kwargs)
            out += [_product(deserialize(i) or {}) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # ------------------------------------------------------------------ orders
    def create_order(self, property_id: str, order: dict[str, Any]) -> None:
        item = {"pk": vk.order_pk(property_id, order["order_id"]), "sk": vk.ORDER_SK, **order}
        self._client.put_item(TableName=self._table, Item=serialize(item),
                              ConditionExpression="attribute_not_exists(pk)")

    def attach_payment(self, property_id: str, order_id: str, payment_intent_id: str) -> None:
        """The order knows its PaymentIntent, and the intent finds its order (refund events carry only it)."""
        transact_write(self._client, [
            {"Update": {"TableName": self._table, "Key": key(vk.order_pk(property_id, order_id), vk.ORDER_SK),
                        "UpdateExpression": "SET payment_intent_id = :pi",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": values(pi=payment_intent_id)}},
            {"Put": {"TableName": self._table, "Item": serialize({
                "pk": vk.payment_intent_pk(payment_intent_id), "sk": vk.PAYMENT_INTENT_SK,
                "property_id": property_id, "order_id": order_id})}},
        ])

    def get_order(self, property_id: str, order_id: str) -> Item:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(vk.order_pk(property_id, order_id), vk.ORDER_SK),
            ConsistentRead=True).get("Item"))
        if item is None:
            raise NotFound(f"gift order {order_id!r} does not exist", code="gift_order_not_found")
        return item

    def record_dispute(self, property_id: str, order_id: str, dispute_id: str, status: str, now: datetime) -> None:
        """A dispute on the order's charge (Stripe's status: needs_response, won, lost…): kept on the order."""
        self._client.update_item(
            TableName=self._table, Key=key(vk.order_pk(property_id, order_id), vk.ORDER_SK),
            UpdateExpression="SET dispute_id = :d, dispute_status = :s, updated_at = :now",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=values(d=dispute_id, s=status, now=clock.iso(now)))

    def order_of_payment_intent(self, payment_intent_id: str) -> tuple[str, str] | None:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(vk.payment_intent_pk(payment_intent_id), vk.PAYMENT_INTENT_SK),
            ConsistentRead=True).get("Item"))
        return (item["property_id"], item["order_id"]) if item else None

    def mark_order_failed(self, property_id: str, order_id: str, reason: str, now: datetime) -> None:
        """A failed payment issues nothing; the order only remembers the last failure (it may be retried)."""
        try:
            self._client.update_item(
                TableName=self._table, Key=key(vk.order_pk(property_id, order_id), vk.ORDER_SK),
                UpdateExpression="SET last_failure = :r, last_failure_at = :now",
                ConditionExpression="attribute_exists(pk) AND #s = :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(r=reason, now=clock.iso(now), pending="pending"))
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise

    # ------------------------------------------------------------------ a paid order that cannot be issued
    def _transition(self, property_id: str, order_id: str, update: str, condition: str, **vals: Any) -> bool:
        """One conditional write on the order; False when the condition did not hold (someone else did it)."""
        try:
            self._client.update_item(
                TableName=self._table, Key=key(vk.order_pk(property_id, order_id), vk.ORDER_SK),
                UpdateExpression=update, ConditionExpression=condition, ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(**vals))
            return True
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return False

    def mark_issue_failed(self, property_id: str, order_id: str, payment_intent_id: str, reason: str,
                          now: datetime) -> bool:
        """`pending -> issue_failed`: the order will never be issued, its payment is to be refunded."""
        return self._transition(
            property_id, order_id, "SET #s = :failed, issue_failure = :r, issue_failed_at = :now, "
            "refund_payment_intent_id = :pi", "attribute_exists(pk) AND #s = :pending",
            failed="issue_failed", pending="pending", r=reason, now=clock.iso(now), pi=payment_intent_id)

    def mark_refunded(self, property_id: str, order_id: str, refund_id: str, now: datetime) -> bool:
        """`issue_failed -> refunded` once the payment gateway took the refund."""
        return self._transition(property_id, order_id, "SET #s = :refunded, refund_id = :id, refunded_at = :now",
                                "#s = :failed", refunded="refunded", failed="issue_failed", id=refund_id,
                                now=clock.iso(now))

    def claim_failure_notice(self, property_id: str, order_id: str, audience: str, now: datetime) -> bool:
        """Claim the refund notice to `audience` ("buyer", "host") before sending it: one sender only."""
        return self._transition(property_id, order_id, f"SET notified_{audience}_at = :now",
                                f"#s = :refunded AND attribute_not_exists(notified_{audience}_at)",
                                refunded="refunded", now=clock.iso(now))

    def release_failure_notice(self, property_id: str, order_id: str, audience: str) -> None:
        """The notice could not be sent: unclaimed, so Stripe's retry of the event sends it."""
        self._client.update_item(TableName=self._table, Key=key(vk.order_pk(property_id, order_id), vk.ORDER_SK),
                                 UpdateExpression=f"REMOVE notified_{audience}_at")

    # ------------------------------------------------------------------ issuing (exactly once)
    def _voucher_items(self, property_id: str, new: NewVoucher, time_zone: str) -> list[Item]:
        """The voucher item. It is also the ledger's opening entry (issue: +value, when, why): the issue
        movement is written atomically with the voucher, in one item, so a voucher can be created by one
        conditional PutItem (imports) — later movements are entry items in the voucher's partition."""
        voucher = {
            "pk": vk.voucher_pk(property_id, new.code), "sk": vk.VOUCHER_SK,
            "gsi1pk": vk.product_vouchers_pk(property_id, new.product.id),
            "gsi1sk": f"{new.purchased_at}#{new.code}",
            "code": new.code, "property_id": property_id, "product_id": new.product.id, "kind": new.product.kind,
            "name": new.product.name, "initial_value": new.value, "balance": new.value,
            "currency": new.product.currency, "valid_until": str(new.valid_until),
            "expires_at": end_instant(new.valid_until, time_zone), "voided": False,
            "purchased_at": new.purchased_at, "source": new.source, "updated_at": new.purchased_at,
            "order_id": new.order_id, "order_number": new.order_number, "buyer_name": new.buyer_name,
            "buyer_email": new.buyer_email, "recipient_name": new.recipient_name,
            "recipient_email": new.recipient_email, "offer_ids": new.product.offer_ids,
            "issue_note": new.note or new.source}
        return [{k: v for k, v in voucher.items() if v is not None}]

    def issue_order(self, property_id: str, order_id: str, payment_intent_id: str, amount_received: int,
                    currency: str, time_zone: str, now: datetime,
                    products: dict[str, GiftProduct] | None = None) -> list[str]:
        """Issue the order's vouchers once: the order's `pending -> paid` change, every voucher, its issue
        entry and the deliveries are one transaction. A repeat finds the order paid and returns its codes."""
        for _ in range(3):  # a new draw only if a random code collided with an existing one (2**-72)
            order = self.get_order(property_id, order_id)
            if order["status"] == "paid":
                return list(order["codes"])
            if order["status"] in ("issue_failed", "refunded"):  # settled by a refund: never issued later
                raise Conflict("this order could not be issued and was refunded", code="order_refunded")
            if order.get("payment_intent_id") not in (None, payment_intent_id):
                raise Conflict("this payment is not the order's", code="payment_mismatch")
            if (amount_received, currency.upper()) != (order["total"], order["currency"]):
                raise Conflict("the amount paid is not the order's total", code="payment_mismatch")
            products = products or {}
            purchased_at = clock.iso(now)
            purchased_on = clock.local_today(time_zone, now)
            transact: list[dict[str, Any]] = []
            codes: list[str] = []
            buyer = order["buyer"]
            recipient = order.get("recipient") or {}
            for item in order["items"]:
                product = products.get(item["product_id"])
                if product is None:
                    raise NotFound(f"gift product {item['product_id']!r} does not exist",
                                   code="gift_product_not_found")
                for _n in range(item["quantity"]):
                    code = voucher_codes.generate()
                    codes.append(code)
                    new = NewVoucher(code=code, product=product, value=item["unit_amount"],
                                     valid_until=product.validity.end(purchased_on), purchased_at=purchased_at,
                                     source="order", order_id=order_id, order_number=order["order_number"],
                                     buyer_name=f"{buyer['first_name']} {buyer['last_name']}",
                                     buyer_email=buyer["email"], recipient_name=recipient.get("name"),
                                     recipient_email=recipient.get("email"))
                    for put in self._voucher_items(property_id, new, time_zone):
                        transact.append({"Put": {"TableName": self._table, "Item": serialize(put),
                                                 "ConditionExpression": "attribute_not_exists(pk)"}})
            for delivery in order.get("deliveries", []):
                due = delivery["due_at"] if delivery["due_at"] > purchased_at else purchased_at
                transact.append({"Put": {"TableName": self._table, "Item": serialize({
                    "pk": vk.order_pk(property_id, order_id), "sk": vk.delivery_sk(delivery["to"]),
                    "property_id": property_id, "order_id": order_id, "to": delivery["to"], "status": "queued",
                    "due_at": due, "gsi1pk": queues.queue_pk(vk.DELIVERY_QUEUE, property_id),
                    "gsi1sk": f"{due}#{property_id}#{order_id}#{delivery['to']}"}),
                    "ConditionExpression": "attribute_not_exists(pk)"}})
            # The dashboard's monthly counters (revenir.stats), in the property's local month of the sale.
            transact.append(stats.add(self._table, property_id, stats.month_of(time_zone, now), {
                "vouchers_sold": len(codes), f"voucher_revenue_{order['currency'].upper()}": order["total"]}))
            transact.append(outbox_put(self._table, property_id, "voucher.purchased", {  # issue 17: webhooks
                "order_id": order_id, "order_number": order.get("order_number"),
                "codes": [voucher_codes.display(c) for c in codes],  # as the guest and the admin API write them
                "total": {"amount": order["total"], "currency": order["currency"]}, "buyer_email": buyer.get("email")},
                now))
            transact.insert(0, {"Update": {
                "TableName": self._table, "Key": key(vk.order_pk(property_id, order_id), vk.ORDER_SK),
                "UpdateExpression": "SET #s = :paid, codes = :codes, paid_at = :now, payment_intent_id = :pi",
                "ConditionExpression": "#s = :pending", "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": values(paid="paid", pending="pending", codes=codes,
                                                    now=purchased_at, pi=payment_intent_id)}})
            try:
                transact_write(self._client, transact)
                return codes
            except Exception as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise
                reasons = cancellation_codes(exc)
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    continue  # paid meanwhile by a concurrent delivery of the event: read it back
                if "TransactionConflict" in reasons or "ConditionalCheckFailed" in reasons:
                    continue  # a racing writer or a code collision: try again
                raise
        order = self.get_order(property_id, order_id)
        if order["status"] == "paid":
            return list(order["codes"])
        raise Conflict("the order could not be issued: try again", code="concurrent_change")

    # ------------------------------------------------------------------ deliveries
    def due_deliveries(self, now: datetime, limit: int = 50) -> list[tuple[str, str, str]]:
        return [(i["property_id"], i["order_id"], i["to"]) for i in queues.due(
            self._client, self._table, vk.DELIVERY_QUEUE, clock.iso(now), limit, queues.rotation_of(now))]

    def claim_delivery(self, property_id: str, order_id: str, to: str, now: datetime) -> bool:
        """Take a queued delivery out of the queue before sending: only one sender wins it."""
        try:
            self._client.update_item(
                TableName=self._table, Key=key(vk.order_pk(property_id, order_id), vk.delivery_sk(to)),
                UpdateExpression="SET #s = :sending, claimed_at = :now REMOVE gsi1pk, gsi1sk",
                ConditionExpression="#s = :queued AND due_at <= :now", ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(sending="sending", queued="queued", now=clock.iso(now)))
            return True
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return False

    def finish_delivery(self, property_id: str, order_id: str, to: str, message_id: str, now: datetime) -> None:
        self._client.update_item(
            TableName=self._table, Key=key(vk.order_pk(property_id, order_id), vk.delivery_sk(to)),
            UpdateExpression="SET #s = :sent, sent_at = :now, message_id = :m",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values(sent="sent", now=clock.iso(now), m=message_id))

    def requeue_delivery(self, property_id: str, order_id: str, to: str, now: datetime) -> None:
        """The send failed: back in the queue, due now (the next tick retries)."""
        due = clock.iso(now)
        self._client.update_item(
            TableName=self._table, Key=key(vk.order_pk(property_id, order_id), vk.delivery_sk(to)),
            UpdateExpression="SET #s = :queued, gsi1pk = :q, gsi1sk = :sk", ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values(queued="queued", q=queues.queue_pk(vk.DELIVERY_QUEUE, property_id),
                                             sk=f"{due}#{property_id}#{order_id}#{to}"))

    def delivery(self, property_id: str, order_id: str, to: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(vk.order_pk(property_id, order_id), vk.delivery_sk(to)),
            ConsistentRead=True).get("Item"))

    # ------------------------------------------------------------------ vouchers
    def find_guarded(self, property_id: str, code: str, counters: Counters) -> Item:
        """A voucher by its canonical code, read with the guessing guard's counters in one BatchGetItem; an
        unknown code counts as a miss (the promo codes' counters: guessing vouchers also blocks guessing codes)."""
        voucher_key = key(vk.voucher_pk(property_id, code), vk.VOUCHER_SK)
        found = {(i["pk"], i["sk"]): i for i in batch_get(self._client, self._table, [voucher_key, *counters.keys])}
        counters.check(found)
        item = found.get((voucher_key["pk"]["S"], vk.VOUCHER_SK))
        if item is None:
            counters.record_miss(self._client, self._table)
            raise NotFound("no gift voucher has this code", code="voucher_not_found")
        return item

    def get_voucher_item(self, property_id: str, code: str) -> Item:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(vk.voucher_pk(property_id, code), vk.VOUCHER_SK)).get("Item"))
        if item is None:
            raise NotFound("no gift voucher has this code", code="voucher_not_found")
        return item

    def ledger(self, property_id: str, voucher: Item) -> list[Item]:
        """Every movement: the opening issue entry (carried by the voucher item) then the entry items."""
        code = voucher["code"]
        out: list[Item] = [{"kind": "issue", "amount": voucher["initial_value"], "at": voucher["purchased_at"],
                            "order_id": voucher.get("order_id"), "note": voucher.get("issue_note")}]
        kwargs: dict[str, Any] = {
            "TableName": self._table, "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :p)",
            "ExpressionAttributeValues": values(pk=vk.voucher_pk(property_id, code), p=vk.LEDGER_PREFIX)}
        while True:
            page = self._client.query(**kwargs)
            out += [deserialize(i) or {} for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _movement(self, property_id: str, code: str, kind: str, amount: int, now: datetime,
                  **extra: Any) -> dict[str, Any]:
        at = clock.iso(now)
        entry = {"pk": vk.voucher_pk(property_id, code), "sk": vk.ledger_sk(at, ids.new_id(kind)), "kind": kind,
                 "amount": amount, "at": at, **{k: v for k, v in extra.items() if v is not None}}
        return {"Put": {"TableName": self._table, "Item": serialize(entry),
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def redeem(self, property_id: str, request: VoucherRedeemRequest, code: str, now: datetime) -> VoucherRedemptionOut:
        """ONE TransactWriteItems: the balance goes down under conditions (enough left, not void, not expired,
        same currency; a card is used whole), a ledger entry, the booking's redemption record (once)."""
        at = clock.iso(now)
        voucher_key = key(vk.voucher_pk(property_id, code), vk.VOUCHER_SK)
        record = {"pk": vk.booking_pk(property_id, request.booking_id), "sk": vk.redemption_sk(code),
                  "booking_id": request.booking_id, "property_id": property_id, "code": code,
                  "amount": request.amount, "currency": request.currency, "status": "redeemed", "created_at": at}
        items: list[dict[str, Any]] = [
            {"Update": {
                "TableName": self._table, "Key": voucher_key,
                "UpdateExpression": "SET balance = balance - :amt, updated_at = :now",
                "ConditionExpression": (
                    "attribute_exists(pk) AND voided = :false AND expires_at > :now AND currency = :cur AND "
                    "((kind = :voucher AND balance >= :amt) OR (kind = :card AND balance = :amt))"),
                "ExpressionAttributeValues": values(amt=request.amount, now=at, false=False, cur=request.currency,
                                                    voucher="voucher", card="card"),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            self._movement(property_id, code, "redeem", -request.amount, now, booking_id=request.booking_id),
            {"Put": {"TableName": self._table, "Item": serialize(record),
                     "ConditionExpression": "attribute_not_exists(pk) OR #s = :released",
                     "ExpressionAttributeNames": {"#s": "status"},
                     "ExpressionAttributeValues": values(released="released"),
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            outbox_put(self._table, property_id, "voucher.redeemed", {  # issue 17: webhooks
                "booking_id": request.booking_id, "code": voucher_codes.display(code),
                "amount": {"amount": request.amount, "currency": request.currency}}, now),
        ]
        try:
            transact_write(self._client, items)
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons, olds = cancellation_codes(exc), cancellation_items(exc)
            if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed" and olds[2]:
                old = olds[2]
                return VoucherRedemptionOut(booking_id=old["booking_id"], code=voucher_codes.display(code),
                                     amount=old["amount"], currency=old["currency"], status="redeemed",
                                     replayed=True)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise self._refusal(olds[0], request, at) from exc
            if "TransactionConflict" in reasons:
                raise Conflict("this voucher is being used by another booking: try again",
                               code="concurrent_change") from exc
            raise
        return VoucherRedemptionOut(booking_id=request.booking_id, code=voucher_codes.display(code),
                                    amount=request.amount, currency=request.currency, status="redeemed")

    @staticmethod
    def _refusal(old: Item | None, request: VoucherRedeemRequest, at: str) -> Exception:
        if old is None:
            return NotFound("no gift voucher has this code", code="voucher_not_found")
        if old.get("voided"):
            return Conflict("this voucher was voided", code="voucher_void")
        if old["expires_at"] <= at:
            return Conflict(f"this voucher expired on {old['valid_until']}", code="voucher_expired",
                            details=[{"valid_until": old["valid_until"]}])
        if old["currency"] != request.currency:
            return Conflict("the voucher is in another currency", code="currency_mismatch",
                            details=[{"currency": old["currency"]}])
        if old["kind"] == "card":
            if int(old["balance"]) <= 0:
                return Conflict("this gift card was already used", code="voucher_used")
            return Conflict("a gift card is used whole: the amount must be its value", code="card_value_mismatch",
                            details=[{"balance": old["balance"]}])
        if int(old["balance"]) <= 0:
            return Conflict("this voucher is used up", code="voucher_used")
        return Conflict("the voucher's balance is too low", code="insufficient_balance",
                        details=[{"balance": old["balance"]}])

    def release(self, property_id: str, booking_id: str, now: datetime) -> int:
        """Give back what a booking took from its vouchers (cancellation). Returns how many were given back."""
        page = self._client.query(
            TableName=self._table, ConsistentRead=True, KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues=values(pk=vk.booking_pk(property_id, booking_id), p=vk.REDEMPTION_PREFIX))
        records = [deserialize(i) or {} for i in page.get("Items", [])]
        if not records:
            raise NotFound(f"booking {booking_id!r} used no gift voucher", code="redemption_not_found")
        released = 0
        for record in records:
            if record["status"] != "redeemed":
                continue
            try:
                transact_write(self._client, [
                    {"Update": {"TableName": self._table, "Key": key(record["pk"], record["sk"]),
                                "UpdateExpression": "SET #s = :released, released_at = :now",
                                "ConditionExpression": "#s = :redeemed", "ExpressionAttributeNames": {"#s": "status"},
                                "ExpressionAttributeValues": values(released="released", redeemed="redeemed",
                                                                    now=clock.iso(now))}},
                    {"Update": {"TableName": self._table,
                                "Key": key(vk.voucher_pk(property_id, record["code"]), vk.VOUCHER_SK),
                                "UpdateExpression": "SET balance = balance + :amt, updated_at = :now",
                                "ConditionExpression": "attribute_exists(pk)",
                                "ExpressionAttributeValues": values(amt=record["amount"], now=clock.iso(now))}},
                    self._movement(property_id, record["code"], "release", record["amount"], now,
                                   booking_id=booking_id),
                ])
                released += 1
            except Exception as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise
                if cancellation_codes(exc)[0] != "ConditionalCheckFailed":
                    raise  # otherwise released meanwhile by a concurrent call: nothing to do
        return released

    def void(self, property_id: str, code: str, now: datetime, reason: str) -> int:
        """Void what is left of a voucher (refund, host decision). Returns the amount voided (0 if already)."""
        for _ in range(5):
            item = self.get_voucher_item(property_id, code)
            if item.get("voided"):
                return 0
            balance = int(item["balance"])
            try:
                transact_write(self._client, [
                    {"Update": {"TableName": self._table, "Key": key(item["pk"], item["sk"]),
                                "UpdateExpression": "SET voided = :true, voided_amount = :bal, balance = :zero, "
                                                    "updated_at = :now",
                                "ConditionExpression": "voided = :false AND balance = :bal",
                                "ExpressionAttributeValues": values(true=True, false=False, bal=balance, zero=0,
                                                                    now=clock.iso(now))}},
                    self._movement(property_id, code, "void", -balance, now, note=reason),
                ])
                return balance
            except Exception as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise
        raise Conflict("the voucher kept changing: try again", code="concurrent_change")

    def void_order_for_refund(self, property_id: str, order_id: str, amount_refunded: int, full: bool,
                              now: datetime) -> list[str]:
        """Refund policy (docs/vouchers.md): a full refund voids every voucher of the order; a partial one
        voids whole vouchers, in the order's order, until their remaining balances cover the amount refunded.
        Replays change nothing: voided vouchers count towards the amount already covered."""
        order = self.get_order(property_id, order_id)
        if order["status"] != "paid":
            return []
        covered = 0
        voided: list[str] = []
        items = [self.get_voucher_item(property_id, c) for c in order["codes"]]
        for item in items:
            if item.get("voided"):
                covered += int(item.get("voided_amount", 0))
        for item in items:
            if item.get("voided"):
                continue
            if not full and covered >= amount_refunded:
                break
            covered += self.void(property_id, item["code"], now, f"refund of order {order_id}")
            voided.append(item["code"])
        return voided

    def extend(self, property_id: str, code: str, valid_until: date, time_zone: str, now: datetime) -> Item:
        try:
            result = self._client.update_item(
                TableName=self._table, Key=key(vk.voucher_pk(property_id, code), vk.VOUCHER_SK),
                UpdateExpression="SET valid_until = :d, expires_at = :e, updated_at = :now",
                ConditionExpression="attribute_exists(pk) AND valid_until < :d",
                ExpressionAttributeValues=values(d=str(valid_until), e=end_instant(valid_until, time_zone),
                                                 now=clock.iso(now)),
                ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            if not getattr(exc, "response", {}).get("Item"):
                raise NotFound("no gift voucher has this code", code="voucher_not_found") from exc
            raise InvalidInput("an extension must end later than the current validity",
                               code="not_an_extension") from exc
        return deserialize(result["Attributes"]) or {}

    def issue_one(self, property_id: str, new: NewVoucher, time_zone: str) -> None:
        """A single voucher (manual issue): voucher + issue entry in one transaction; the code must be free."""
        (item,) = self._voucher_items(property_id, new, time_zone)
        try:
            self._client.put_item(TableName=self._table, Item=serialize(item),
                                  ConditionExpression="attribute_not_exists(pk)")
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            raise Conflict("this code is already taken", code="code_taken") from exc

    # ------------------------------------------------------------------ admin list
    def page(self, property_id: str, product_id: str, today: date, *, status: str | None = None,
             limit: int = 50, cursor: str | None = None) -> tuple[list[Voucher], str | None]:
        kwargs: dict[str, Any] = {
            "TableName": self._table, "IndexName": "gsi1", "ScanIndexForward": False, "Limit": limit,
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": values(pk=vk.product_vouchers_pk(property_id, product_id))}
        if status is not None:
            if status not in STATUSES:
                raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
            filters = {
                "void": "voided = :true",
                "used": "voided = :false AND balance <= :zero",
                "expired": "voided = :false AND balance > :zero AND valid_until < :today",
                "partly_used": "voided = :false AND balance > :zero AND balance < initial_value "
                               "AND valid_until >= :today",
                "unused": "voided = :false AND balance > :zero AND balance = initial_value AND valid_until >= :today",
            }
            kwargs["FilterExpression"] = filters[status]
            wanted = {"void": ("true",), "used": ("false", "zero"), "expired": ("false", "zero", "today"),
                      "partly_used": ("false", "zero", "today"), "unused": ("false", "zero", "today")}[status]
            all_values = {"true": True, "false": False, "zero": 0, "today": str(today)}
            kwargs["ExpressionAttributeValues"] |= values(**{k: all_values[k] for k in wanted})
        start = _decode_cursor(cursor)
        if start:
            kwargs["ExclusiveStartKey"] = start
        response = self._client.query(**kwargs)
        vouchers = [voucher_out(deserialize(i) or {}, today) for i in response.get("Items", [])]
        return vouchers, _encode_cursor(response.get("LastEvaluatedKey"))

    def all_vouchers(self, property_id: str, product_id: str, today: date) -> list[Voucher]:
        out: list[Voucher] = []
        cursor: str | None = None
        while True:
            page, cursor = self.page(property_id, product_id, today, limit=500, cursor=cursor)
            out += page
            if cursor is None:
                return out

    # ------------------------------------------------------------------ CSV import
    def import_vouchers(self, property_id: str, rows: Sequence[tuple[int, NewVoucher]],
                        time_zone: str) -> list[ImportOutcome]:
        """One conditional PutItem per row (the voucher item carries its issue entry): a row is never
        half-written, and a code already there is reported, never overwritten — re-importing the same file
        writes nothing. (Transactions of 50 rows were measured too: moto deep-copies the table per transaction
        item, which made 10,000 rows take minutes locally; see docs/vouchers.md.)"""
        outcomes: list[ImportOutcome] = []
        for row, new in rows:
            (item,) = self._voucher_items(property_id, new, time_zone)
            try:
                self._client.put_item(TableName=self._table, Item=serialize(item),
                                      ConditionExpression="attribute_not_exists(pk)",
                                      ReturnValuesOnConditionCheckFailure="ALL_OLD")
            except Exception as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise
                old = deserialize(getattr(exc, "response", {}).get("Item")) or {}
                same = (old.get("product_id") == new.product.id and old.get("initial_value") == new.value
                        and old.get("source") == "import")
                outcomes.append(ImportOutcome(row, "unchanged" if same else "code_taken", new.code))
                continue
            outcomes.append(ImportOutcome(row, "imported", new.code))
        return outcomes


def product_from_input(product_id: str, property_id: str, data: GiftProductInput, created_at: str,
                       updated_at: str) -> GiftProduct:
    return GiftProduct(id=product_id, property_id=property_id, created_at=created_at, updated_at=updated_at,
                       **data.model_dump())


__all__ = ["ImportOutcome", "NewVoucher", "VoucherRepository", "product_from_input", "voucher_out"]
