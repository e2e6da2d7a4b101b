"""Bookings pushed by the booking engine, and the guests they belong to (a guest is an e-mail address)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from revenir.core.validation import Day, Email, Identifier, Language, SingleLine

BookingStatus = Literal["confirmed", "cancelled", "checked_in", "checked_out"]
TripPurpose = Literal["leisure", "business", "event", "other"]

#: Relay addresses of online travel agencies: their terms allow only stay information, never marketing.
OTA_RELAY_DOMAINS = ("guest.booking.com", "guest.airbnb.com", "airbnb.com", "expediapartnercentral.com",
                     "m.expediapartnercentral.com")
DIRECT_CHANNELS = ("direct", "website", "phone", "walk_in", "manual")


class BookingInput(BaseModel):
    """What the booking engine sends for a booking (upsert by booking id)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    first_name: SingleLine = Field(min_length=1, max_length=100)
    last_name: SingleLine = Field(min_length=1, max_length=100)
    email: Email
    phone: str | None = Field(default=None, max_length=40)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2.")
    language: Language | None = None
    arrival: Day
    departure: Day
    adults: int = Field(default=2, ge=0, le=100)
    children: int = Field(default=0, ge=0, le=100)
    offer_ids: list[Identifier] = Field(default_factory=list)
    channel: str = Field(default="direct", max_length=40, examples=["direct", "booking.com", "airbnb"])
    rate_plan: str | None = Field(default=None, max_length=100)
    rate_includes: list[str] = Field(default_factory=list, examples=[["breakfast"]],
                                     description="What the rate includes, e.g. breakfast, late_checkout.")
    trip_purpose: TripPurpose | None = None
    total: int | None = Field(default=None, ge=0, description="Minor units.")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    status: BookingStatus = "confirmed"
    marketing_consent: bool = Field(default=False, description="The guest agreed to receive offers.")
    tags: list[str] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _dates(self) -> BookingInput:
        if self.departure <= self.arrival:
            raise ValueError("departure must be after arrival")
        return self


class Booking(BookingInput):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    booking_id: str
    property_id: str
    created_at: str
    updated_at: str

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days

    @property
    def is_ota(self) -> bool:
        return self.channel.lower() not in DIRECT_CHANNELS

    @property
    def group_type(self) -> str:
        people = self.adults + self.children
        if self.children:
            return "family"
        if people <= 1:
            return "solo"
        if people == 2:
            return "couple"
        return "group"


class ManualGuestInput(BaseModel):
    """A guest added by hand (seed 002): a booking with channel 'manual', e.g. to test e-mails."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    first_name: SingleLine = Field(min_length=1, max_length=100)
    last_name: SingleLine = Field(min_length=1, max_length=100)
    email: Email
    phone: str | None = Field(default=None, max_length=40)
    arrival: Day
    departure: Day
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    language: Language | None = None
    marketing_consent: bool = False


def is_ota_relay(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1]
    return any(domain == d or domain.endswith("." + d) for d in OTA_RELAY_DOMAINS)
