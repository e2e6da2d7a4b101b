"""Membership models: a host's role at a property, a booking-engine client's properties."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from revenir.core.validation import Email

PropertyIdValue = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]


class Role(StrEnum):
    OWNER = "owner"  # manages the property and its members
    STAFF = "staff"  # manages the property, not its members


class Invitation(BaseModel):
    """An owner adds a co-host (by e-mail; Cognito e-mails the invitation if the address has no account yet)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    email: Email
    role: Role = Role.STAFF


class Member(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    email: str
    role: Role
    added_at: str
    added_by: str


class NewProperty(BaseModel):
    """The operator creates a property's tenancy with its first owner."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    property_id: PropertyIdValue = Field(examples=["gites-du-moulin"])
    owner_email: Email


class Tenancy(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    property_id: str
    owner_email: str
    created_at: str


class BookingEngineScope(StrEnum):
    """OAuth scopes of the `revenir` resource server; API Gateway checks them on server-to-server routes."""

    BOOKINGS = "revenir/bookings"  # bookings and carts
    REDEMPTIONS = "revenir/redemptions"  # promo-code and voucher redemptions


class BookingEngineProperties(BaseModel):
    """The operator lets a booking engine's OAuth client (client credentials) act for these properties."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    property_ids: list[PropertyIdValue] = Field(min_length=1, max_length=500)


class BookingEngine(BaseModel):
    model_config = ConfigDict(defer_build=True)

    client_id: str
    property_ids: list[str]
