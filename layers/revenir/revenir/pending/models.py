"""Pending payments (issue 17, item 3): what a guest still owes for a booking (a balance, a deposit), paid
through a PaymentIntent on the property's connected Stripe account; a promo code applied to it lowers the
amount (the code engine prices it, the use is held until paid, confirmed by the payment, given back when
removed or expired).

States: pending -> paid | failed (a declined attempt: still payable) | expired (the due date passed) |
cancelled (the booking engine withdrew it).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from revenir.core.validation import Currency, Day, Email, Identifier, Language

Status = Literal["pending", "paid", "failed", "expired", "cancelled"]
#: States in which the guest can still pay, and a code still be applied or removed.
PAYABLE = ("pending", "failed")
#: Stripe refuses a card charge below 0.50 in most currencies: a code cannot bring the amount under it.
MINIMUM_CHARGE = 50


class PendingLine(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    offer_id: Identifier
    amount: int = Field(ge=0, le=100_000_000, description="Minor units.")


class PendingPaymentInput(BaseModel):
    """What the booking engine registers: the amount still owed, when, and the stay (for the code's rules)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    amount: int = Field(ge=MINIMUM_CHARGE, le=100_000_000, description="What is owed, in minor units.",
                        examples=[45000])
    currency: Currency
    due_date: Day = Field(description="Last day to pay, in the property's time zone; after it: expired.")
    arrival: Day
    departure: Day
    guest_email: Email | None = None
    guest_language: Language | None = None
    description: str | None = Field(default=None, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")
    lines: list[PendingLine] | None = Field(
        default=None, max_length=100, description="What the amount pays for (offers), for codes limited to some "
        "offers; default: one line `balance` of the whole amount. Their sum must be the amount.")

    @model_validator(mode="after")
    def _checks(self) -> PendingPaymentInput:
        if self.departure <= self.arrival:
            raise ValueError("departure must be after arrival")
        if self.lines is not None and sum(li.amount for li in self.lines) != self.amount:
            raise ValueError("the lines must add up to the amount")
        return self


class PendingCodeInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    code: str = Field(min_length=1, max_length=64, description="A promo code (or a private-sale or partner-card "
                      "code), or a gift voucher's code (its balance pays part of the amount).")


class PendingAppliedCode(BaseModel):
    model_config = ConfigDict(defer_build=True)

    code: str
    kind: str
    discount: int
    hold_expires_at: str | None = None


class PendingPaymentOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    booking_id: str
    status: Status
    amount_due: int = Field(description="What the booking engine registered (minor units).")
    discount: int = Field(description="The applied code's discount (0 without a code).")
    amount: int = Field(description="What the guest pays now: amount_due - discount; the PaymentIntent's amount.")
    currency: str
    due_date: date
    code: PendingAppliedCode | None = None
    payment_intent_id: str | None = None
    client_secret: str | None = Field(default=None, description="For Stripe.js confirmCardPayment.")
    stripe_account: str | None = Field(default=None, description="Stripe(pk, {stripeAccount}): the property's account.")
    application_fee_amount: int = 0
    failure: str | None = None
    paid_at: str | None = None
    created_at: str
    updated_at: str


class GuestPaymentPage(BaseModel):
    """What the guest's payment page (or the gift shop's script) reads through the signed link."""

    model_config = ConfigDict(defer_build=True)

    property_name: str
    payment: PendingPaymentOut
    stripe_publishable_key: str
    stripe_js_url: str


class PendingCreated(PendingPaymentOut):
    pay_token: str = Field(description="The guest's signed token: GET …/pending-payments/{booking_id}/pay?t=…")
