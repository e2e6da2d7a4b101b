"""Pending payments' use cases: the booking engine registers what a guest owes (a PaymentIntent on the
property's connected account); the host, or the guest through the signed link, applies a code (priced by
revenir.codes, its use held until paid, the PaymentIntent's amount modified on Stripe) or removes it (the
amount restored, the hold released); Stripe's events mark it paid (the code's use confirmed) or failed; the
sweep expires what was not paid by the due date (the intent cancelled, the hold released)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from revenir.codes.models import BasketLine, RedeemRequest
from revenir.codes.service import PromoCodeHolds, PromoCodeService
from revenir.connect.models import application_fee
from revenir.connect.store import ConnectRepository
from revenir.core import clock
from revenir.core.errors import Conflict, InvalidInput, NotFound
from revenir.core.signing import Signer
from revenir.guard.policy import GuardPolicy
from revenir.pending.models import (
    MINIMUM_CHARGE,
    PAYABLE,
    GuestPaymentPage,
    PendingAppliedCode,
    PendingCreated,
    PendingPaymentInput,
    PendingPaymentOut,
)
from revenir.pending.store import PendingPaymentRepository
from revenir.properties.store import PropertyRepository
from revenir.table.dynamodb import Item
from revenir.vouchers import codes as voucher_codes
from revenir.vouchers.models import VoucherRedeemRequest
from revenir.vouchers.service import VoucherService

logger = logging.getLogger(__name__)
PURPOSE = "pending-payment"
#: A code's hold lasts until the due date, within what the code engine allows (24 h; docs/payments.md).
MAX_HOLD_MINUTES = 24 * 60


class IntentGateway(Protocol):
    def create_intent(self, *, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str,
                      payment_method: str | None, description: str, receipt_email: str,
                      stripe_account: str | None = None, application_fee_amount: int = 0) -> Any: ...

    def update_amount(self, *, payment_intent_id: str, amount: int, application_fee_amount: int,
                      stripe_account: str | None) -> None: ...

    def cancel(self, *, payment_intent_id: str, stripe_account: str | None) -> None: ...


def due_instant(due_date: Any, time_zone: str) -> str:
    """The first instant after the due day, in UTC: past it, the payment is expired."""
    local = datetime.combine(due_date + timedelta(days=1), time.min, ZoneInfo(time_zone))
    return clock.iso(local)


def voucher_booking(booking_id: str) -> str:
    """The booking id a gift voucher's use for a pending payment is recorded under (apart from the booking's own
    voucher redemptions, so removing it gives back only this one)."""
    if len(booking_id) <= 60:
        return f"pay.{booking_id}"
    return "pay." + hashlib.sha256(booking_id.encode()).hexdigest()[:40]


def payment_out(item: Item) -> PendingPaymentOut:
    return PendingPaymentOut.model_validate({k: v for k, v in item.items() if k in PendingPaymentOut.model_fields})


@dataclass(frozen=True)
class PendingPayments:
    repository: PendingPaymentRepository
    properties: PropertyRepository
    connect: ConnectRepository
    fee_basis_points: int = 0
    vouchers: VoucherService | None = None  # gift vouchers applied to a payment (their balance pays part of it)
    guard: GuardPolicy | None = None  # the guessing guard for voucher codes typed by a guest

    def _item(self, property_id: str, booking_id: str) -> Item:
        item = self.repository.get(property_id, booking_id)
        if item is None:
            raise NotFound(f"booking {booking_id!r} has no pending payment", code="pending_payment_not_found")
        return item

    def get(self, property_id: str, booking_id: str) -> PendingPaymentOut:
        return payment_out(self._item(property_id, booking_id))

    def register(self, gateway: IntentGateway, signer: Signer, property_id: str, booking_id: str,
                 body: PendingPaymentInput) -> PendingCreated:
        """Idempotent per booking: a replay answers the stored payment (a different amount is a 409)."""
        prop = self.properties.get(property_id)
        if body.currency != prop.currency:
            raise InvalidInput(f"the property's currency is {prop.currency}", code="currency_mismatch",
                               details=[{"field": "body.currency"}])
        now = clock.now()
        if body.due_date < clock.local_today(prop.time_zone, now):
            raise InvalidInput("the due date is in the past", code="due_date_past",
                               details=[{"field": "body.due_date"}])
        account = self.connect.charge_account(property_id)
        fee = application_fee(body.amount, self.fee_basis_points) if account else 0
        lines = ([li.model_dump() for li in body.lines] if body.lines
                 else [{"offer_id": "balance", "amount": body.amount}])
        item: dict[str, Any] = {
            "booking_id": booking_id, "property_id": property_id, "status": "pending", "amount_due": body.amount,
            "discount": 0, "amount": body.amount, "currency": body.currency, "due_date": str(body.due_date),
            "arrival": str(body.arrival), "departure": str(body.departure), "lines": lines,
            "stripe_account": account, "application_fee_amount": fee, "created_at": clock.iso(now),
            "due_at": due_instant(body.due_date, prop.time_zone),
            "updated_at": clock.iso(now)}
        item |= {k: v for k, v in {"guest_email": body.guest_email, "guest_language": body.guest_language,
                                   "description": body.description}.items() if v is not None}
        stored, created = self.repository.create(property_id, booking_id, item, item["due_at"])
        if not created and (stored["amount_due"] != body.amount or stored["currency"] != body.currency):
            raise Conflict("this booking already has a pending payment of another amount",
                           code="pending_payment_exists", details=[{"field": "body.amount"}])
        if not stored.get("payment_intent_id") and stored["status"] == "pending":
            intent = gateway.create_intent(
                amount=int(stored["amount"]), currency=str(stored["currency"]),
                metadata={"property_id": property_id, "booking_id": booking_id, "revenir_kind": "pending_payment"},
                idempotency_key=f"pending-{property_id}-{booking_id}", payment_method=None,
                description=f"{prop.name} — {booking_id}", receipt_email=str(stored.get("guest_email") or ""),
                stripe_account=stored.get("stripe_account"),
                application_fee_amount=int(stored.get("application_fee_amount") or 0))
            stored = self.repository.attach_intent(property_id, booking_id, intent.id, intent.client_secret,
                                                   now) or self._item(property_id, booking_id)
        return PendingCreated(**payment_out(stored).model_dump(),
                              pay_token=signer.sign(PURPOSE, property_id, booking_id))

    def check_link(self, signer: Signer, property_id: str, booking_id: str, token: str) -> None:
        if not signer.verify(token, PURPOSE, property_id, booking_id):
            raise NotFound("no such payment", code="pending_payment_not_found", details=[{"field": "query.t"}])

    def page(self, signer: Signer, property_id: str, booking_id: str, token: str, publishable_key: str,
             js_url: str) -> GuestPaymentPage:
        """The guest's view through the signed link (the same 404 for a bad link as for no payment)."""
        self.check_link(signer, property_id, booking_id, token)
        prop = self.properties.get(property_id)
        return GuestPaymentPage(property_name=prop.name, payment=self.get(property_id, booking_id),
                                stripe_publishable_key=publishable_key, stripe_js_url=js_url)

    def apply_code(self, gateway: IntentGateway, codes: PromoCodeService, property_id: str, booking_id: str,
                   code: str, client: str) -> PendingPaymentOut:
        """Price the code on the stay (revenir.codes), hold its use for this booking, lower the PaymentIntent."""
        item = self._item(property_id, booking_id)
        if item["status"] not in PAYABLE:
            raise Conflict(f"this payment is {item['status']}", code="payment_not_payable")
        if not item.get("payment_intent_id"):
            raise Conflict("the payment is not ready yet: register it again", code="payment_not_ready")
        if item.get("code"):
            raise Conflict("a code is already applied: remove it first", code="code_already_applied",
                           details=[{"field": "body.code"}])
        now = clock.now()
        if self.vouchers is not None and voucher_codes.looks_native(voucher_codes.canonical(code)):
            return self._apply_voucher(gateway, item, property_id, booking_id, code, client, now)
        hold_minutes = self._hold_minutes(item, now)
        request = RedeemRequest(
            code=code, arrival=item["arrival"], departure=item["departure"], guest_email=item.get("guest_email"),
            lines=[BasketLine(offer_id=li["offer_id"], amount=int(li["amount"]), currency=item["currency"])
                   for li in item["lines"]],
            booking_id=booking_id, hold=True, hold_minutes=hold_minutes)
        try:
            redemption = codes.redeem(property_id, request, client)
        except (Conflict, InvalidInput, NotFound) as exc:  # the code engine's refusal, about the typed code
            exc.details = exc.details or [{"field": "body.code"}]
            raise
        discount = int(redemption.discount.get("amount") or 0)
        amount = int(item["amount_due"]) - discount
        holds = PromoCodeHolds(codes.repository)
        if amount < MINIMUM_CHARGE:
            holds.release(property_id, booking_id)
            raise Conflict("after this code the amount would be below the minimum charge", code="amount_too_low",
                           details=[{"field": "body.code", "minimum": MINIMUM_CHARGE}])
        fee = application_fee(amount, self.fee_basis_points) if item.get("stripe_account") else 0
        try:
            gateway.update_amount(payment_intent_id=str(item["payment_intent_id"]), amount=amount,
                                  application_fee_amount=fee, stripe_account=item.get("stripe_account"))
        except Exception:
            holds.release(property_id, booking_id)
            raise
        applied = PendingAppliedCode(code=redemption.code, kind="promo_code", discount=discount,
                              hold_expires_at=redemption.hold_expires_at)
        updated = self.repository.set_code(property_id, booking_id, applied.model_dump(), discount, amount, fee, now)
        if updated is None:  # paid or changed meanwhile: put Stripe and the code back as they were
            holds.release(property_id, booking_id)
            gateway.update_amount(payment_intent_id=str(item["payment_intent_id"]), amount=int(item["amount"]),
                                  application_fee_amount=int(item.get("application_fee_amount") or 0),
                                  stripe_account=item.get("stripe_account"))
            raise Conflict("the payment changed meanwhile: try again", code="concurrent_change")
        return payment_out(updated)

    def remove_code(self, gateway: IntentGateway, holds: PromoCodeHolds, property_id: str,
                    booking_id: str) -> PendingPaymentOut:
        """Back to the registered amount on Stripe, the code's use given back."""
        item = self._item(property_id, booking_id)
        if not item.get("code"):
            raise NotFound("no code is applied to this payment", code="no_code_applied")
        if item["status"] not in PAYABLE:
            raise Conflict(f"this payment is {item['status']}", code="payment_not_payable")
        amount = int(item["amount_due"])
        fee = application_fee(amount, self.fee_basis_points) if item.get("stripe_account") else 0
        gateway.update_amount(payment_intent_id=str(item["payment_intent_id"]), amount=amount,
                              application_fee_amount=fee, stripe_account=item.get("stripe_account"))
        updated = self.repository.clear_code(property_id, booking_id, amount, fee, clock.now())
        if updated is None:
            raise Conflict("the payment changed meanwhile: try again", code="concurrent_change")
        self._give_back(holds, property_id, booking_id, item["code"])
        return payment_out(updated)

    def _apply_voucher(self, gateway: IntentGateway, item: Item, property_id: str, booking_id: str, code: str,
                       client: str, now: datetime) -> PendingPaymentOut:
        """A gift voucher's balance pays part of it (a gift card: whole): deducted at once (the vouchers' one
        transaction, under `voucher_booking`), given back if the code is removed or the payment expires."""
        assert self.vouchers is not None
        if self.guard is None:
            raise Conflict("gift vouchers cannot be applied here", code="voucher_not_applicable")
        try:
            balance = self.vouchers.check_balance(property_id, code, client, self.guard)
        except (Conflict, InvalidInput, NotFound) as exc:
            exc.details = exc.details or [{"field": "body.code"}]
            raise
        room = int(item["amount_due"]) - MINIMUM_CHARGE
        if balance.currency != item["currency"]:
            raise Conflict("the voucher is in another currency", code="currency_mismatch",
                           details=[{"field": "body.code"}])
        if balance.status != "unused" and balance.status != "partly_used":
            raise Conflict(f"this voucher is {balance.status}", code=f"voucher_{balance.status}",
                           details=[{"field": "body.code"}])
        discount = min(balance.balance, room) if balance.kind == "voucher" else balance.balance
        if discount <= 0 or discount > room:
            raise Conflict("after this voucher the amount would be below the minimum charge", code="amount_too_low",
                           details=[{"field": "body.code", "minimum": MINIMUM_CHARGE}])
        use_id = voucher_booking(booking_id)
        self.vouchers.redeem(property_id, VoucherRedeemRequest(code=code, booking_id=use_id, amount=discount,
                                                               currency=str(item["currency"])), now)
        amount = int(item["amount_due"]) - discount
        fee = application_fee(amount, self.fee_basis_points) if item.get("stripe_account") else 0
        try:
            gateway.update_amount(payment_intent_id=str(item["payment_intent_id"]), amount=amount,
                                  application_fee_amount=fee, stripe_account=item.get("stripe_account"))
        except Exception:
            self.vouchers.release(property_id, use_id)
            raise
        applied = PendingAppliedCode(code=balance.code, kind="gift_voucher", discount=discount)
        updated = self.repository.set_code(property_id, booking_id, applied.model_dump(), discount, amount, fee, now)
        if updated is None:
            self.vouchers.release(property_id, use_id)
            gateway.update_amount(payment_intent_id=str(item["payment_intent_id"]), amount=int(item["amount"]),
                                  application_fee_amount=int(item.get("application_fee_amount") or 0),
                                  stripe_account=item.get("stripe_account"))
            raise Conflict("the payment changed meanwhile: try again", code="concurrent_change")
        return payment_out(updated)

    def _give_back(self, holds: PromoCodeHolds, property_id: str, booking_id: str, applied: dict[str, Any]) -> None:
        """The applied code's use back: a promo code's hold released, a voucher's amount given back."""
        if applied.get("kind") == "gift_voucher":
            if self.vouchers is None:
                raise Conflict("gift vouchers cannot be given back here", code="voucher_not_applicable")
            self.vouchers.release(property_id, voucher_booking(booking_id))
        else:
            holds.release(property_id, booking_id)

    @staticmethod
    def _hold_minutes(item: Item, now: datetime) -> int:
        due = datetime.fromisoformat(str(item["due_at"]).replace("Z", "+00:00"))
        return max(1, min(MAX_HOLD_MINUTES, int((due - now).total_seconds() // 60)))

    def cancel(self, gateway: IntentGateway, holds: PromoCodeHolds, property_id: str,
               booking_id: str) -> PendingPaymentOut:
        """The booking engine withdraws it (the booking was cancelled, or paid another way): cancelled, the intent
        cancelled on Stripe, the code's use given back. A payment already final answers as it is (idempotent);
        a paid one is a 409."""
        item = self._item(property_id, booking_id)
        if item["status"] == "paid":
            raise Conflict("this payment is paid: refund it in Stripe", code="payment_not_payable")
        updated = self.repository.transition(property_id, booking_id, "cancelled", clock.now())
        if updated is None:
            return payment_out(self._item(property_id, booking_id))
        if updated.get("payment_intent_id"):
            gateway.cancel(payment_intent_id=str(updated["payment_intent_id"]),
                           stripe_account=updated.get("stripe_account"))
        if updated.get("code"):
            self._give_back(holds, property_id, booking_id, updated["code"])
        return payment_out(updated)

    # ---------------------------------------------------------------- Stripe's events and the sweep
    def handle_event(self, holds: PromoCodeHolds, event: dict[str, Any], account: str | None) -> dict[str, Any]:
        """payment_intent.succeeded -> paid (the code's use confirmed); payment_intent.payment_failed -> failed
        (still payable). Only events from the account the intent was created on count."""
        obj: dict[str, Any] = event["data"].get("object") or {}
        metadata = obj.get("metadata") or {}
        property_id, booking_id = str(metadata.get("property_id") or ""), str(metadata.get("booking_id") or "")
        item = self.repository.get(property_id, booking_id) if property_id and booking_id else None
        if item is None or item.get("payment_intent_id") != obj.get("id"):
            return {"received": True, "handled": False}
        if item.get("stripe_account") != account:
            return {"received": True, "handled": False, "reason": "account_mismatch"}
        kind, now = str(event["type"]), clock.now()
        result: dict[str, Any] = {"received": True, "handled": True, "type": kind, "booking_id": booking_id}
        if kind == "payment_intent.succeeded":
            if int(obj.get("amount_received") or obj.get("amount") or 0) != int(item["amount"]):
                logger.warning("pending payment paid another amount", extra={"booking_id": booking_id})
            updated = self.repository.transition(property_id, booking_id, "paid", now, paid_at=clock.iso(now),
                                                 amount_received=int(obj.get("amount_received") or 0))
            if ((updated or item).get("code") or {}).get("kind", "promo_code") != "gift_voucher" and \
                    (updated or item).get("code"):
                try:
                    holds.confirm(property_id, booking_id)
                except Exception as exc:  # the hold expired before the payment: the discount was honoured
                    logger.warning("code hold not confirmed: %s", exc, extra={"booking_id": booking_id})
            result["status"] = "paid"
            return result
        if kind == "payment_intent.payment_failed":
            error = (obj.get("last_payment_error") or {}).get("code") or "payment_failed"
            self.repository.transition(property_id, booking_id, "failed", now, failure=str(error))
            result["status"] = "failed"
            return result
        result["handled"] = False
        return result

    def expire_due(self, gateway: Callable[[], IntentGateway], holds: PromoCodeHolds, limit: int = 100) -> int:
        """Past their due date and still unpaid: expired, the intent cancelled (`gateway()`: Stripe is reached
        only when something is due), the code's use given back."""
        now, expired = clock.now(), 0
        for property_id, booking_id in list(self.repository.due(now, limit)):
            try:
                item = self.repository.transition(property_id, booking_id, "expired", now)
                if item is None:
                    continue
                if item.get("payment_intent_id"):
                    gateway().cancel(payment_intent_id=str(item["payment_intent_id"]),
                                   stripe_account=item.get("stripe_account"))
                if item.get("code"):
                    self._give_back(holds, property_id, booking_id, item["code"])
                expired += 1
            except Exception:  # one bad item must not stop the others
                logger.exception("could not expire %s/%s", property_id, booking_id)
        return expired
