"""The payment gateway port and its Stripe adapter. Imports stripe: only the gift-order function uses it.

Stripe's base URL comes from configuration (STRIPE_API_BASE: localstripe locally, unset in AWS).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Protocol

import stripe
from stripe import RequestOptions

from revenir.core.errors import Conflict, RevenirError


class PaymentDeclined(RevenirError):
    status = 402
    code = "payment_declined"


@dataclass(frozen=True)
class Intent:
    id: str
    client_secret: str
    status: str


class PaymentGateway(Protocol):
    def create_intent(self, *, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str,
                      payment_method: str | None, description: str, receipt_email: str,
                      stripe_account: str | None = None, application_fee_amount: int = 0) -> Intent: ...

    def refund(self, *, payment_intent_id: str, idempotency_key: str, reason: str,
               stripe_account: str | None = None) -> str: ...


def _options(stripe_account: str | None, idempotency_key: str | None = None) -> RequestOptions:
    """Per-request options: the connected account (the Stripe-Account header: a direct charge) and the key."""
    options: RequestOptions = {}
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    if stripe_account:
        options["stripe_account"] = stripe_account
    return options


class StripeGateway:
    def __init__(self, secret_key: str, api_base: str | None = None):
        kwargs: dict[str, Any] = {}
        if api_base:
            kwargs["base_addresses"] = {"api": api_base}
        self._client = stripe.StripeClient(secret_key, **kwargs)

    def create_intent(self, *, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str,
                      payment_method: str | None, description: str, receipt_email: str,
                      stripe_account: str | None = None, application_fee_amount: int = 0) -> Intent:
        """A PaymentIntent; with `stripe_account`, a direct charge on that connected account (the Stripe-Account
        header) with the platform's `application_fee_amount` (minor units, 0 = none)."""
        params: dict[str, Any] = {"amount": amount, "currency": currency.lower(), "metadata": metadata}
        if stripe_account and application_fee_amount > 0:
            params["application_fee_amount"] = application_fee_amount
        if payment_method:  # server-side confirmation; 3-D Secure then leaves it requires_action
            params |= {"payment_method": payment_method, "confirm": True}
        options = _options(stripe_account, idempotency_key)
        try:
            intent = self._client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options=options)
        except stripe.CardError as exc:
            raise PaymentDeclined(exc.user_message or "the card was declined") from exc
        except (stripe.InvalidRequestError, stripe.PermissionError) as exc:  # e.g. a disconnected account
            raise Conflict(f"the payment could not be created: {exc.user_message or exc}",
                           code="payment_rejected") from exc
        return Intent(id=intent.id, client_secret=str(intent.client_secret), status=str(intent.status))

    def refund(self, *, payment_intent_id: str, idempotency_key: str, reason: str,
               stripe_account: str | None = None) -> str:
        """Refund the whole PaymentIntent; the refund's id. `reason` lands in the refund's metadata. Stripe
        answers a replay with the same key with the same refund (localstripe ignores keys: the caller's state
        transition is what makes this once)."""
        refund = self._client.v1.refunds.create(
            params={"payment_intent": payment_intent_id, "metadata": {"revenir_reason": reason[:500]}},
            options=_options(stripe_account, idempotency_key))
        return str(refund.id)

    def update_amount(self, *, payment_intent_id: str, amount: int, application_fee_amount: int,
                      stripe_account: str | None) -> None:
        """PaymentIntent.modify of the amount (a code applied to a pending payment, or removed): allowed while
        the intent awaits its payment; Stripe refuses once it is processing or succeeded (409 here)."""
        params: dict[str, Any] = {"amount": amount}
        if stripe_account and application_fee_amount > 0:
            params["application_fee_amount"] = application_fee_amount
        try:
            self._client.v1.payment_intents.update(
                payment_intent_id, params=params,  # type: ignore[arg-type]
                options=_options(stripe_account))
        except (stripe.InvalidRequestError, stripe.PermissionError) as exc:
            raise Conflict(f"Stripe refused the new amount: {exc.user_message or exc}",
                           code="payment_not_modifiable") from exc

    def cancel(self, *, payment_intent_id: str, stripe_account: str | None) -> None:
        """Cancel an unpaid PaymentIntent (an expired pending payment); already final: nothing to do."""
        with contextlib.suppress(stripe.InvalidRequestError, stripe.PermissionError):
            self._client.v1.payment_intents.cancel(
                payment_intent_id, options=_options(stripe_account))
