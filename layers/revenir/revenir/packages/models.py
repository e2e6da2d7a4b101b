"""Prepaid packages (issue 17, item 2; seed 004's "forfaits"): a bundle bought once and used over later
bookings — N nights, N stays, or N units of a service or offer — with a price, a validity, sold online or
issued by hand. An issued package (a "holding") has a code, a balance of units and a ledger; the booking
engine consumes units at booking (one transaction, idempotent per booking) and gives them back on cancellation.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from revenir.core.validation import Currency, Email, Identifier, SingleLine

GuestLanguage = Literal["fr", "en", "nl", "de"]
Unit = Literal["night", "stay", "service"]
PackageHoldingStatus = Literal["active", "used", "expired", "void"]


class PackageInput(BaseModel):
    """What the host defines."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    name: SingleLine = Field(min_length=1, max_length=120, examples=["Forfait 5 nuits"])
    name_translations: dict[GuestLanguage, SingleLine] = Field(default_factory=dict)
    description: str | None = Field(default=None, max_length=2000)
    description_translations: dict[GuestLanguage, str] = Field(default_factory=dict)
    unit: Unit = Field(description="night: nights of a stay; stay: whole stays; service: units of an offer "
                                   "(a breakfast, a massage…).")
    units: int = Field(ge=1, le=1000, description="How many units the package holds.", examples=[5])
    offer_ids: list[Identifier] | None = Field(
        default=None, max_length=50, description="The offers it covers (required for a service); null: any "
                                                 "accommodation of the property.")
    price: int = Field(ge=0, le=100_000_000, description="Minor units.", examples=[45000])
    currency: Currency
    validity_months: int = Field(ge=1, le=60, description="Valid this many months after issue.", examples=[12])
    purchasable_online: bool = Field(default=False, description="Sold by the gift shop (else issued by hand only).")

    @model_validator(mode="after")
    def _rules(self) -> PackageInput:
        if self.unit == "service" and not self.offer_ids:
            raise ValueError("a service package names the offers it covers (offer_ids)")
        return self


class PackageUpdate(PackageInput):
    archived: bool = Field(default=False, description="Archived: no longer issued nor sold; issued ones stay valid.")


class Package(PackageInput):
    id: str
    archived: bool = False
    created_at: str
    updated_at: str


class PackageHolder(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    first_name: SingleLine = Field(min_length=1, max_length=100)
    last_name: SingleLine = Field(min_length=1, max_length=100)
    email: Email
    language: GuestLanguage | None = None


class PackageIssueInput(BaseModel):
    """Issued by hand (sold at the desk, offered)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    holder: PackageHolder
    price_paid: int | None = Field(default=None, ge=0, le=100_000_000, description="Default: the package's price.")
    note: SingleLine | None = Field(default=None, max_length=200)


class PackageHolding(BaseModel):
    """An issued package."""

    model_config = ConfigDict(defer_build=True)

    code: str
    package_id: str
    name: str
    unit: Unit
    units_total: int
    balance: int
    currency: str
    price_paid: int
    valid_until: date
    status: PackageHoldingStatus
    holder: PackageHolder | None = None
    source: Literal["manual", "online"]
    order_id: str | None = None
    issued_at: str


class PackageLedgerEntry(BaseModel):
    model_config = ConfigDict(defer_build=True)

    kind: Literal["issue", "consume", "release", "void"]
    units: int
    at: str
    booking_id: str | None = None
    note: str | None = None


class PackageHoldingDetail(BaseModel):
    model_config = ConfigDict(defer_build=True)

    holding: PackageHolding
    ledger: list[PackageLedgerEntry]
    ledger_sum: int = Field(description="The ledger's units add up to the balance.")


class PackageConsumeRequest(BaseModel):
    """The booking engine uses units of a package for a booking."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    code: str = Field(min_length=4, max_length=40)
    booking_id: Identifier
    units: int = Field(ge=1, le=1000, description="Nights, stays or service units this booking uses.")
    offer_id: Identifier | None = Field(default=None, description="What is booked: checked against offer_ids.")


class PackageConsumption(BaseModel):
    model_config = ConfigDict(defer_build=True)

    booking_id: str
    code: str
    units: int
    unit: Unit
    status: Literal["consumed", "released"]
    replayed: bool = False


def status_of(item: dict[str, object], today: date) -> PackageHoldingStatus:
    if item.get("voided"):
        return "void"
    if int(str(item["balance"])) <= 0:
        return "used"
    if date.fromisoformat(str(item["valid_until"])) < today:
        return "expired"
    return "active"
