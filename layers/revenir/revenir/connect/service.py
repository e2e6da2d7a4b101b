"""Stripe Connect use cases (the host's admin API and the webhook): start or resume a property's onboarding,
read its status from Stripe, record `account.updated`. Stripe is reached through the `Accounts` port."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from revenir.connect.models import ConnectedAccount, OnboardingInput, OnboardingOut
from revenir.connect.store import ConnectRepository
from revenir.core import clock
from revenir.core.errors import NotFound


class Flags(Protocol):
    @property
    def charges_enabled(self) -> bool: ...

    @property
    def details_submitted(self) -> bool: ...


class Accounts(Protocol):
    def create_account(self, *, property_id: str, email: str | None, country: str | None) -> str: ...

    def onboarding_link(self, *, account_id: str, return_url: str, refresh_url: str) -> tuple[str, int]: ...

    def flags(self, account_id: str) -> Flags: ...


@dataclass(frozen=True)
class ConnectService:
    repository: ConnectRepository
    accounts: Accounts

    def start_onboarding(self, property_id: str, body: OnboardingInput) -> OnboardingOut:
        """The property's account (created once: Stripe idempotency key and a conditional write) and a fresh
        onboarding link; calling it again resumes the same account's onboarding."""
        account = self.repository.get(property_id)
        if account is None:
            now = clock.iso(clock.now())
            account_id = self.accounts.create_account(property_id=property_id, email=body.email,
                                                      country=body.country)
            account = self.repository.create(property_id, ConnectedAccount(
                account_id=account_id, created_at=now, updated_at=now))
        url, expires_at = self.accounts.onboarding_link(account_id=account.account_id,
                                                        return_url=str(body.return_url),
                                                        refresh_url=str(body.refresh_url))
        return OnboardingOut(account=account, url=url, expires_at=expires_at)

    def status(self, property_id: str) -> ConnectedAccount:
        """Stripe's current flags for the property's account (read from Stripe and recorded)."""
        account = self.repository.get(property_id)
        if account is None:
            raise NotFound("this property has no connected Stripe account yet", code="not_connected")
        flags = self.accounts.flags(account.account_id)
        now = clock.iso(clock.now())
        self.repository.update_status(property_id, account.account_id, flags.charges_enabled,
                                      flags.details_submitted, now)
        return account.model_copy(update={"charges_enabled": flags.charges_enabled,
                                          "details_submitted": flags.details_submitted, "updated_at": now})


def record_account_updated(repository: ConnectRepository, event: dict[str, Any]) -> dict[str, Any]:
    """`account.updated` on the Connect endpoint: the account's metadata names its property; the flags are
    recorded only if that property's stored account is this very account (no cross-property write)."""
    obj: dict[str, Any] = event["data"].get("object") or {}
    property_id = str((obj.get("metadata") or {}).get("property_id") or "")
    account_id = str(event.get("account") or obj.get("id") or "")
    if not property_id or not account_id:
        return {"received": True, "handled": False}
    updated = repository.update_status(property_id, account_id, bool(obj.get("charges_enabled")),
                                       bool(obj.get("details_submitted")), clock.iso(clock.now()))
    return {"received": True, "handled": updated, "type": "account.updated", "property_id": property_id}
