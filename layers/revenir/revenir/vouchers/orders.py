"""Gift orders: from the widget's basket to a PaymentIntent, and from Stripe's events to issued vouchers.

Plain orchestration over ports (the voucher repository, the payment gateway, a property lookup); the
handlers add Powertools Idempotency around `issue` and each e-mail send.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from revenir.connect.models import application_fee
from revenir.connect.store import ConnectRepository
from revenir.core import clock, ids
from revenir.core.errors import Conflict, InvalidInput, NotFound
from revenir.properties.models import Property
from revenir.properties.store import PropertyRepository
from revenir.vouchers.models import GiftOrderInput, GiftProduct, delivery_instant, price_order
from revenir.vouchers.store import VoucherRepository


class Gateway(Protocol):
    def create_intent(self, *, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str,
                      payment_method: str | None, description: str, receipt_email: str,
                      stripe_account: str | None = None, application_fee_amount: int = 0) -> Any: ...


class GiftOrderOut(BaseModel):
    model_config = ConfigDict(defer_build=True)
    order_id: str
    order_number: str
    amount: int
    currency: str
    payment_intent_id: str
    client_secret: str
    payment_status: str
    stripe_publishable_key: str | None = None
    stripe_account: str | None = Field(default=None, description="The property's connected Stripe account: "
                                       "confirm with Stripe(pk, {stripeAccount}). Null: the platform account.")
    application_fee_amount: int = Field(default=0, description="The platform's fee on this direct charge.")


def order_number(now: datetime) -> str:
    """Human order number, like the seed's P2201260371: G + yymmdd + 4 random digits."""
    return f"G{now.strftime('%y%m%d')}{secrets.randbelow(10_000):04d}"


def create_order(repo: VoucherRepository, gateway: Gateway, prop: Property, body: GiftOrderInput,
                 now: datetime, stripe_account: str | None = None, fee_basis_points: int = 0) -> GiftOrderOut:
    """The order and its PaymentIntent: a direct charge on `stripe_account` (the property's) with the platform's
    fee when the property is connected, else a charge on the platform account."""
    products = {p.id: p for p in repo.list_products(prop.property_id)}
    today = clock.local_today(prop.time_zone, now)
    priced, total, currency = price_order(body, products, today)
    order_id = ids.new_id("go")
    number = order_number(now)
    deliveries = [{"to": "buyer", "due_at": clock.iso(now)}]
    if body.recipient is not None:
        due = delivery_instant(body.recipient.delivery_date, prop.time_zone, now)
        deliveries.append({"to": "recipient", "due_at": clock.iso(due)})
    order: dict[str, Any] = {
        "order_id": order_id, "order_number": number, "property_id": prop.property_id, "status": "pending",
        "items": [p.model_dump() for p in priced], "total": total, "currency": currency,
        "buyer": body.buyer.model_dump(mode="json", exclude_none=True),
        "deliveries": deliveries, "created_at": clock.iso(now)}
    fee = application_fee(total, fee_basis_points) if stripe_account else 0
    if stripe_account:
        order |= {"stripe_account": stripe_account, "application_fee_amount": fee}
    if body.recipient is not None:
        order["recipient"] = body.recipient.model_dump(mode="json", exclude_none=True)
    repo.create_order(prop.property_id, order)
    intent = gateway.create_intent(
        amount=total, currency=currency, idempotency_key=f"gift-order-{order_id}",
        metadata={"property_id": prop.property_id, "order_id": order_id, "order_number": number},
        payment_method=body.payment_method, description=f"{prop.name} — gift order {number}",
        receipt_email=body.buyer.email, stripe_account=stripe_account, application_fee_amount=fee)
    repo.attach_payment(prop.property_id, order_id, intent.id)
    return GiftOrderOut(order_id=order_id, order_number=number, amount=total, currency=currency,
                        payment_intent_id=intent.id, client_secret=intent.client_secret,
                        payment_status=intent.status, stripe_account=stripe_account, application_fee_amount=fee)


def event_order(repo: VoucherRepository, obj: dict[str, Any]) -> tuple[str, str] | None:
    """(property, order) of an event's object: a PaymentIntent's metadata, else the intent index."""
    metadata = obj.get("metadata") or {}
    if metadata.get("property_id") and metadata.get("order_id"):
        return str(metadata["property_id"]), str(metadata["order_id"])
    intent = obj.get("payment_intent") if obj.get("object") in ("charge", "dispute", "refund") else obj.get("id")
    return repo.order_of_payment_intent(str(intent)) if intent else None


def issue(repo: VoucherRepository, properties: Callable[[str], Property], property_id: str, order_id: str,
          payment_intent_id: str, amount: int, currency: str, now: datetime) -> list[str]:
    prop = properties(property_id)
    products: dict[str, GiftProduct] = {p.id: p for p in repo.list_products(property_id)}
    return repo.issue_order(property_id, order_id, payment_intent_id, amount, currency, prop.time_zone, now,
                            products)


#: Conflicts that retrying cannot change. Other conflicts (concurrent_change) are transient.
PERMANENT_CONFLICTS = {"payment_mismatch", "order_refunded"}


def permanent_reason(exc: Exception) -> str | None:
    """The stable reason of an issuing failure that no retry can fix, or None for a transient one."""
    if isinstance(exc, NotFound | InvalidInput):
        return exc.code
    if isinstance(exc, Conflict) and exc.code in PERMANENT_CONFLICTS:
        return exc.code
    if isinstance(exc, ValidationError | OverflowError | ValueError):  # stored data that cannot make a voucher
        return "invalid_data"
    return None


@dataclass(frozen=True)
class StripeEventOutcome:
    """What one Stripe event did: the webhook's answer, and the figures its metrics count."""

    result: dict[str, Any]
    issued: int = 0
    failed: bool = False
    voided: int = 0


@dataclass(frozen=True)
class GiftOrderService:
    """Gift orders over the voucher store and the property lookup: placing one, and Stripe's events."""

    vouchers: VoucherRepository
    properties: PropertyRepository
    connect: ConnectRepository | None = None
    fee_basis_points: int = 0

    def place(self, gateway: Gateway, property_id: str, body: GiftOrderInput) -> GiftOrderOut:
        """Price the basket and create the PaymentIntent (idempotency key = the order): a direct charge on the
        property's connected account when it has one that can take charges."""
        account = self.connect.charge_account(property_id) if self.connect is not None else None
        return create_order(self.vouchers, gateway, self.properties.get(property_id), body, clock.now(), account,
                            self.fee_basis_points)

    def issue(self, property_id: str, order_id: str, payment_intent_id: str, amount: int, currency: str
              ) -> list[str]:
        """The order's vouchers, exactly once (the write is conditional on the order still being pending)."""
        return issue(self.vouchers, self.properties.get, property_id, order_id, payment_intent_id, amount,
                     currency, clock.now())

    def handle_event(self, event: dict[str, Any], issue_once: Callable[[dict[str, Any]], dict[str, Any]],
                     send_due: Callable[[str, str], int],
                     settle_failed: Callable[[str, str, str, str], dict[str, Any]] | None = None,
                     account: str | None = None) -> StripeEventOutcome:
        """`payment_intent.succeeded` issues (through `issue_once`, the caller's idempotent wrapper of `issue`)
        then sends the e-mails due — or, when issuing fails for good (`permanent_reason`), settles the
        order through `settle_failed(property, order, payment intent, reason)` (refund, tell the buyer and the
        host) and acknowledges the event; a transient failure raises (5xx: Stripe retries).
        `payment_intent.payment_failed` marks the order; `charge.refunded` voids what the refund paid for.
        Events about anything else are acknowledged, not handled.

        `account` is the event's connected account (the Connect endpoint's events), None on the platform
        endpoint: an order is handled only by events from the account it was charged on, so an event from
        property A's account (or the platform's) can never touch property B's order."""
        kind = str(event["type"])
        obj: dict[str, Any] = event["data"].get("object") or {}
        found = event_order(self.vouchers, obj)
        if found is None:  # not one of our gift orders (another integration on the same Stripe account)
            return StripeEventOutcome({"received": True, "handled": False})
        property_id, order_id = found
        try:
            charged_on = self.vouchers.get_order(property_id, order_id).get("stripe_account")
        except NotFound:
            return StripeEventOutcome({"received": True, "handled": False})
        if charged_on != account:
            return StripeEventOutcome({"received": True, "handled": False, "reason": "account_mismatch"})
        result: dict[str, Any] = {"received": True, "handled": True, "type": kind, "order_id": order_id}
        if kind == "payment_intent.succeeded":
            try:
                issued = issue_once({"property_id": property_id, "order_id": order_id,
                                     "payment_intent_id": obj["id"],
                                     "amount": int(obj.get("amount_received") or obj["amount"]),
                                     "currency": str(obj["currency"])})
            except Exception as exc:
                reason = permanent_reason(exc)
                if reason is None or settle_failed is None:
                    raise  # transient: the webhook answers 5xx and Stripe retries
                result |= {"vouchers": 0, "issue_failed": reason, **settle_failed(property_id, order_id,
                                                                                   str(obj["id"]), reason)}
                return StripeEventOutcome(result)
            result |= {"vouchers": len(issued["codes"]), "mails_sent": send_due(property_id, order_id)}
            return StripeEventOutcome(result)
        if kind == "payment_intent.payment_failed":
            error = (obj.get("last_payment_error") or {}).get("code") or "payment_failed"
            self.vouchers.mark_order_failed(property_id, order_id, str(error), clock.now())
            return StripeEventOutcome(result, failed=True)
        if kind == "charge.refunded":
            voided = self.vouchers.void_order_for_refund(property_id, order_id, int(obj.get("amount_refunded") or 0),
                                                         bool(obj.get("refunded")), clock.now())
            result["voided"] = len(voided)
            return StripeEventOutcome(result, voided=len(voided))
        if kind.startswith("charge.dispute."):  # recorded on the order; the account's owner answers it in Stripe
            self.vouchers.record_dispute(property_id, order_id, str(obj.get("id") or ""),
                                         str(obj.get("status") or kind.rsplit(".", 1)[1]), clock.now())
            result["dispute"] = obj.get("status")
            return StripeEventOutcome(result)
        result["handled"] = False
        return StripeEventOutcome(result)
