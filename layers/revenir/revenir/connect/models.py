"""Stripe Connect (issue 17, item 1): a property's own Stripe account (Standard, onboarded through Account
Links: docs/decisions.md), and the platform's application fee on each direct charge.

The fee is computed in integer minor units from basis points (3 % = 300): half-up on the exact product
(`(amount * bp + 5_000) // 10_000`), never more than the amount. docs/payments.md has worked examples.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class ConnectedAccount(BaseModel):
    """What the API shows of a property's connected account."""

    model_config = ConfigDict(defer_build=True)

    account_id: str = Field(description="Stripe's acct_… id: the Stripe-Account header of every charge.")
    type: str = Field(default="standard", description="Stripe account type (Standard: docs/decisions.md).")
    charges_enabled: bool = False
    details_submitted: bool = False
    created_at: str
    updated_at: str

    @property
    def can_charge(self) -> bool:
        return self.charges_enabled


class OnboardingInput(BaseModel):
    """Where Stripe sends the host back: after onboarding (return_url) or when the link expired (refresh_url)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    return_url: HttpUrl = Field(description="The back-office page to come back to once onboarding is done.")
    refresh_url: HttpUrl = Field(description="Where Stripe sends the host when the link has expired or was used.")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                              description="Pre-fills the Stripe account's e-mail (the host's).")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. BE.")


class OnboardingOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    account: ConnectedAccount
    url: str = Field(description="Stripe's onboarding page (an Account Link: single use, short-lived).")
    expires_at: int = Field(description="Unix time after which the link no longer works.")


def fee_basis_points(percent: str) -> int:
    """'3' -> 300, '2.5' -> 250; refuses more than two decimals, negatives and more than 100 %."""
    try:
        value = Decimal(percent.strip()) * 100
    except InvalidOperation as exc:
        raise ValueError(f"not a percentage: {percent!r}") from exc
    if value != value.to_integral_value() or not 0 <= value <= 10_000:
        raise ValueError(f"the application fee must be 0-100 with at most two decimals: {percent!r}")
    return int(value)


def application_fee(amount: int, basis_points: int) -> int:
    """The platform's fee on a charge of `amount` minor units: half-up, in integers, within [0, amount]."""
    if amount <= 0 or basis_points <= 0:
        return 0
    return min(amount, (amount * basis_points + 5_000) // 10_000)
