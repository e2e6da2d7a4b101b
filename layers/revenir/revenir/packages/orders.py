"""Packages bought online (issue 17, item 2): the order and its PaymentIntent — a direct charge on the
property's connected account with the platform's fee, as gift orders — then, from Stripe's events, the package
issued exactly once (the order's pending -> issued move is in the issuing transaction) and the buyer's e-mail
sent once (claimed before sending). `PackageOrders.handle_event` is where a `package.purchased` event can be
emitted (docs/payments.md)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from revenir.connect.models import application_fee
from revenir.connect.store import ConnectRepository
from revenir.core import clock, ids
from revenir.core.errors import Conflict, NotFound
from revenir.core.validation import Identifier
from revenir.mail.sender import Mailer
from revenir.packages import mail as package_mail
from revenir.packages.models import PackageHolder
from revenir.packages.store import PackageRepository
from revenir.properties.store import PropertyRepository

logger = logging.getLogger(__name__)


class Gateway(Protocol):
    def create_intent(self, *, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str,
                      payment_method: str | None, description: str, receipt_email: str,
                      stripe_account: str | None = None, application_fee_amount: int = 0) -> Any: ...


class PackageOrderInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    package_id: Identifier
    buyer: PackageHolder = Field(description="The buyer holds the package.")
    payment_method: str | None = Field(default=None, pattern=r"^pm_[A-Za-z0-9_]{1,100}$",
                                       description="Server-side confirmation (tests); else Stripe.js confirms.")


class PackageOrderOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    order_id: str
    package_id: str
    amount: int
    currency: str
    payment_intent_id: str
    client_secret: str
    payment_status: str
    stripe_account: str | None = Field(default=None, description="Stripe(pk, {stripeAccount}).")
    application_fee_amount: int = 0
    stripe_publishable_key: str | None = None


@dataclass(frozen=True)
class PackageOrders:
    packages: PackageRepository
    properties: PropertyRepository
    connect: ConnectRepository
    fee_basis_points: int = 0

    def place(self, gateway: Gateway, property_id: str, body: PackageOrderInput) -> PackageOrderOut:
        prop = self.properties.get(property_id)
        try:
            package = self.packages.get_package(property_id, body.package_id)
        except NotFound as exc:
            raise NotFound("no such package", code="package_not_found",
                           details=[{"field": "body.package_id"}]) from exc
        if package.archived or not package.purchasable_online or package.price < 50:
            raise Conflict("this package is not sold online", code="package_not_for_sale",
                           details=[{"field": "body.package_id"}])
        account = self.connect.charge_account(property_id)
        fee = application_fee(package.price, self.fee_basis_points) if account else 0
        now = clock.now()
        order_id = ids.new_id("po")
        order: dict[str, Any] = {
            "order_id": order_id, "property_id": property_id, "package_id": package.id, "status": "pending",
            "amount": package.price, "currency": package.currency,
            "buyer": body.buyer.model_dump(mode="json", exclude_none=True), "created_at": clock.iso(now)}
        if account:
            order |= {"stripe_account": account, "application_fee_amount": fee}
        self.packages.create_order(property_id, order)
        intent = gateway.create_intent(
            amount=package.price, currency=package.currency, idempotency_key=f"package-order-{order_id}",
            metadata={"property_id": property_id, "order_id": order_id, "revenir_kind": "package_order"},
            payment_method=body.payment_method, description=f"{prop.name} — {package.name}",
            receipt_email=body.buyer.email, stripe_account=account, application_fee_amount=fee)
        self.packages.attach_payment(property_id, order_id, intent.id)
        return PackageOrderOut(order_id=order_id, package_id=package.id, amount=package.price,
                               currency=package.currency, payment_intent_id=intent.id,
                               client_secret=intent.client_secret, payment_status=intent.status,
                               stripe_account=account, application_fee_amount=fee)

    def order_of(self, obj: dict[str, Any]) -> tuple[str, str] | None:
        """(property, order) when the event's object is about a package order: the intent's metadata, else (a
        charge, refund or dispute) the intent index. None: not ours (a gift order, another integration)."""
        metadata = obj.get("metadata") or {}
        if metadata.get("revenir_kind") == "package_order" and metadata.get("property_id") and metadata.get(
                "order_id"):
            return str(metadata["property_id"]), str(metadata["order_id"])
        if obj.get("object") in ("charge", "dispute", "refund") and obj.get("payment_intent"):
            return self.packages.order_of_payment_intent(str(obj["payment_intent"]))
        return None

    def handle_event(self, event: dict[str, Any], account: str | None, mailer: Mailer) -> dict[str, Any] | None:
        """payment_intent.succeeded: the package issued once, then the buyer's e-mail sent once; a payment
        failure is recorded; a full refund voids what is left of the package, a partial one is recorded (the
        host kept the package, e.g. a goodwill refund); a dispute is recorded. Only events from the account the
        order was charged on count. None: the event is not about a package order (a gift order's, a pending
        payment's, another integration's)."""
        obj: dict[str, Any] = event["data"].get("object") or {}
        found = self.order_of(obj)
        if found is None:
            return None
        order = self.packages.get_order(*found)
        intent = obj.get("payment_intent") if obj.get("object") in ("charge", "dispute", "refund") else obj.get("id")
        if order is None or order.get("payment_intent_id") != intent:
            return {"received": True, "handled": False}
        property_id, order_id = found
        if order.get("stripe_account") != account:
            return {"received": True, "handled": False, "reason": "account_mismatch"}
        kind = str(event["type"])
        result: dict[str, Any] = {"received": True, "handled": True, "type": kind, "order_id": order_id}
        if kind == "charge.refunded":
            full = bool(obj.get("refunded"))
            self.packages.record_refund(property_id, order_id, int(obj.get("amount_refunded") or 0), full,
                                        clock.now())
            if full and order.get("code"):
                self.packages.void(property_id, str(order["code"]), clock.now())
            return {**result, "voided": bool(full and order.get("code"))}
        if kind.startswith("charge.dispute."):  # the account's owner answers it in Stripe
            status = str(obj.get("status") or kind.rsplit(".", 1)[1])
            self.packages.record_dispute(property_id, order_id, str(obj.get("id") or ""), status, clock.now())
            return {**result, "dispute": status}
        if kind == "payment_intent.payment_failed":
            self.packages.mark_order_failed(property_id, order_id,
                                            str((obj.get("last_payment_error") or {}).get("code") or "failed"))
            return result
        if kind != "payment_intent.succeeded":
            return {**result, "handled": False}
        if int(obj.get("amount_received") or obj.get("amount") or 0) != int(order["amount"]):
            raise Conflict("the amount paid is not the order's", code="payment_mismatch")
        prop = self.properties.get(property_id)
        code = order.get("code")
        if order["status"] == "pending":
            try:
                package = self.packages.get_package(property_id, order["package_id"])
                issued = self.packages.issue(
                    property_id, package, holder=order["buyer"], price_paid=int(order["amount"]), source="online",
                    order_id=order_id, note=None, now=clock.now(), time_zone=prop.time_zone,
                    payment_intent_id=str(obj["id"]))
                code = issued["code"]
                result["issued"] = True
            except Conflict as exc:
                if exc.code != "already_issued":
                    raise
                code = (self.packages.get_order(property_id, order_id) or {}).get("code")
        result["code_issued"] = code is not None
        if code and self.packages.claim_mail(property_id, order_id, clock.now()):
            holding = self.packages.get_holding(property_id, str(code))
            try:
                to, raw = package_mail.build(prop, holding)
                message_id = mailer.send(prop.sender_email, to, raw, {"property": property_id})
            except Exception:
                self.packages.finish_mail(property_id, order_id, None)
                raise
            self.packages.finish_mail(property_id, order_id, message_id)
            result["mail_sent"] = True
        return result


__all__ = ["PackageOrderInput", "PackageOrderOut", "PackageOrders"]
