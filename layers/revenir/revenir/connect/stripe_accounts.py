"""Stripe Connect's API (imports stripe: only the functions holding the Stripe secret use it): create a
Standard account, an onboarding Account Link, read an account's flags. Real SDK calls; locally they reach the
Connect stand-in in front of localstripe (local/connect.py), which has no Account objects of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

from revenir.core.errors import Conflict


@dataclass(frozen=True)
class AccountFlags:
    charges_enabled: bool
    details_submitted: bool


class StripeAccounts:
    def __init__(self, secret_key: str, api_base: str | None = None):
        kwargs: dict[str, Any] = {}
        if api_base:
            kwargs["base_addresses"] = {"api": api_base}
        self._client = stripe.StripeClient(secret_key, **kwargs)

    def create_account(self, *, property_id: str, email: str | None, country: str | None) -> str:
        params: dict[str, Any] = {"type": "standard", "metadata": {"property_id": property_id}}
        if email:
            params["email"] = email
        if country:
            params["country"] = country
        try:
            account = self._client.v1.accounts.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": f"connect-account-{property_id}"})
        except stripe.InvalidRequestError as exc:
            raise Conflict(f"Stripe refused the account: {exc.user_message or exc}", code="stripe_rejected") from exc
        return str(account.id)

    def onboarding_link(self, *, account_id: str, return_url: str, refresh_url: str) -> tuple[str, int]:
        try:
            link = self._client.v1.account_links.create(params={
                "account": account_id, "type": "account_onboarding", "return_url": return_url,
                "refresh_url": refresh_url})
        except (stripe.InvalidRequestError, stripe.PermissionError) as exc:
            raise Conflict(f"Stripe refused the onboarding link: {exc.user_message or exc}",
                           code="stripe_rejected") from exc
        return str(link.url), int(link.expires_at)

    def flags(self, account_id: str) -> AccountFlags:
        try:
            account = self._client.v1.accounts.retrieve(account_id)
        except (stripe.InvalidRequestError, stripe.PermissionError) as exc:  # disconnected, deleted
            raise Conflict(f"Stripe cannot read this account: {exc.user_message or exc}",
                           code="stripe_account_unavailable") from exc
        return AccountFlags(bool(account.charges_enabled), bool(account.details_submitted))
