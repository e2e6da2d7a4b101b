"""Abandoned carts (seed 000: "absence de paiement", "paiement en erreur"): the booking engine reports a
checkout; if the guest does not pay, a Step Functions flow reminds them, with a recovery code."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from revenir.codes.models import BasketLine
from revenir.core.validation import Day, Email, Identifier, Language, SingleLine

CartStatus = Literal["started", "paid", "payment_failed", "abandoned"]


class CartInput(BaseModel):
    """A checkout the booking engine just started."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    cart_id: Identifier
    email: Email
    first_name: SingleLine = Field(min_length=1, max_length=100)
    last_name: SingleLine | None = Field(default=None, max_length=100)
    language: Language | None = None
    arrival: Day | None = None
    departure: Day | None = None
    lines: list[BasketLine] = Field(min_length=1, max_length=100)
    total: int = Field(ge=0, description="Minor units.")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    recovery_url: str = Field(pattern=r"^https?://", max_length=2000,
                              description="Where the guest resumes the basket (the booking engine's page).")

    @model_validator(mode="after")
    def _dates(self) -> CartInput:
        if self.arrival and self.departure and self.departure <= self.arrival:
            raise ValueError("departure must be after arrival")
        return self


class CartStatusInput(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    status: Literal["paid", "payment_failed", "abandoned"]
    booking_id: str | None = Field(default=None, max_length=64, description="The booking it became, when paid.")


class Cart(CartInput):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    property_id: str
    status: CartStatus = "started"
    started_at: str
    updated_at: str
    reminded_at: str | None = None
    reminders: dict[str, str] = Field(default_factory=dict, description="kind -> status of that reminder")
    recovery_code: str | None = None
    recovery_code_valid_until: str | None = None
    recovered: bool = Field(default=False, description="Paid after a reminder.")
    execution_name: str | None = None


class CartSettings(BaseModel):
    """Per-property settings of the reminders (defaults as in the seeds)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    delay_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60, description="First reminder after this delay.")
    second_reminder_hours: int | None = Field(default=None, ge=1, le=14 * 24,
                                              description="An optional second reminder, hours after the first.")
    discount_percent: float = Field(default=10, gt=0, le=100, multiple_of=0.01)
    code_validity_hours: int = Field(default=48, ge=1, le=30 * 24)


class CartStats(BaseModel):
    property_id: str
    date_from: Day
    date_to: Day
    started: int
    reminded: int
    recovered: int
    recovered_revenue: dict[str, int] = Field(description="Minor units per currency.")
    recovery_rate: float = Field(description="recovered / reminded (0 when nothing was reminded).")


def execution_name(property_id: str, cart_id: str) -> str:
    """Step Functions execution names: 80 characters of [A-Za-z0-9-_]; one execution per cart."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in f"{property_id}-{cart_id}")
    digest = hashlib.sha256(f"{property_id}|{cart_id}".encode()).hexdigest()[:16]
    return f"{safe[:63]}-{digest}"  # the digest keeps 'demo-a'/'x' and 'demo'/'a-x' apart


def recovery_code_for(property_id: str, cart_id: str) -> str:
    """A deterministic code per cart, so a retried step finds the code it already issued."""
    digest = hashlib.sha256(f"{property_id}|{cart_id}".encode()).hexdigest().upper()
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    value = int(digest, 16)
    chars = []
    for _ in range(8):
        value, index = divmod(value, len(alphabet))
        chars.append(alphabet[index])
    return "RETOUR-" + "".join(chars)
