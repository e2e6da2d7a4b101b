"""Membership use cases: the operator creates a property with its first owner, owners invite and remove
co-hosts, the operator registers booking engines, and the token trigger asks whom a principal acts for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from revenir.core.errors import Forbidden, InvalidInput, NotFound
from revenir.members.models import (
    BookingEngine,
    BookingEngineProperties,
    Invitation,
    Member,
    NewProperty,
    Role,
    Tenancy,
)
from revenir.members.store import MembershipStore

#: Members of this Cognito group may create properties and register booking engines.
OPERATORS_GROUP = "operators"


class Directory(Protocol):
    """The user directory (Cognito): accounts, sessions and OAuth clients."""

    def invite(self, email: str) -> None: ...  # creates the account and e-mails the invitation, once
    def sign_out(self, email: str) -> None: ...  # revokes the member's refresh tokens
    def client_exists(self, client_id: str) -> bool: ...  # an app client of the user pool


class MembershipService:
    def __init__(self, store: MembershipStore, directory: Directory | None = None):
        """`directory` may be left out where no account or client is touched (the token trigger)."""
        self._store = store
        self._dir = directory

    @property
    def _directory(self) -> Directory:
        if self._dir is None:
            raise RuntimeError("this use case needs the user directory")
        return self._dir

    # ------------------------------------------------------------ operator
    def create_property(self, request: NewProperty, operator: str, now: str) -> Tenancy:
        tenancy = self._store.create_tenancy(request.property_id, request.owner_email, now, operator)
        self._directory.invite(request.owner_email)
        return tenancy

    def register_booking_engine(self, client_id: str, request: BookingEngineProperties, now: str) -> BookingEngine:
        """Adds properties to a booking engine's client (an app client of the template's user pool)."""
        if not self._directory.client_exists(client_id):
            raise NotFound(f"no app client {client_id!r} in the user pool", code="client_not_found")
        self._store.register_client(client_id, request.property_ids, now)
        return BookingEngine(client_id=client_id, property_ids=self._store.properties_of_client(client_id))

    # ------------------------------------------------------------ owners
    def members(self, property_id: str) -> list[Member]:
        return self._store.members(property_id)

    def invite(self, owner: str, property_id: str, invitation: Invitation, now: str) -> tuple[Member, bool]:
        self._require_owner(owner, property_id)
        member, changed = self._store.put_member(property_id, invitation.email, invitation.role, now, owner)
        if changed:
            self._directory.invite(invitation.email)
        return member, changed

    def remove(self, owner: str, property_id: str, email: str) -> Member:
        self._require_owner(owner, property_id)
        removed = self._store.remove_member(property_id, email)
        self._directory.sign_out(email)  # the removed host's next token no longer lists the property
        return removed

    def _require_owner(self, email: str, property_id: str) -> None:
        if self._store.role_of(property_id, email) != Role.OWNER:
            raise Forbidden(f"only an owner of {property_id!r} manages its members", code="owner_required")

def caller_email(claims: Mapping[str, Any] | None) -> str:
    """The caller's e-mail as the token trigger wrote it (never a user-writable attribute)."""
    email = str((claims or {}).get("email", "")).strip().lower()
    if not email:
        raise InvalidInput("this token names no e-mail: sign in as a host", code="email_claim_missing")
    return email


def groups(claims: Mapping[str, Any] | None) -> frozenset[str]:
    """`cognito:groups`, as a list or as API Gateway's "[a b]" string."""
    raw = (claims or {}).get("cognito:groups")
    if raw is None:
        return frozenset()
    if isinstance(raw, (list, tuple)):
        return frozenset(str(g) for g in raw)
    return frozenset(str(raw).strip().strip("[]").split())


def require_operator(claims: Mapping[str, Any] | None) -> str:
    if OPERATORS_GROUP not in groups(claims):
        raise Forbidden("operators only", code="operator_required")
    return str((claims or {}).get("email") or (claims or {}).get("sub") or "operator")

