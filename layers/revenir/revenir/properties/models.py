"""Properties (a gîte, a B&B, a small hotel): the tenant every other record belongs to."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from revenir.core.validation import Currency, Email, Language, SingleLine, TimeZone


class PropertyInput(BaseModel):
    """What the host (or the booking engine) sends to create or replace a property."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    name: SingleLine = Field(min_length=1, max_length=200, examples=["Gîtes du Moulin d'en haut"])
    time_zone: TimeZone = Field(description="IANA time zone: dates and send times follow it.",
                                examples=["Europe/Brussels"])
    default_language: Language = Field(description="ISO 639-1; fallback language for guest e-mails.",
                                       examples=["fr"])
    currency: Currency = Field(description="ISO 4217; every price of the property is in it.", examples=["EUR"])
    contact_email: Email
    contact_phone: str | None = Field(default=None, max_length=40)
    sender_email: Email = Field(description="From address of guest e-mails (an SES-verified identity).")
    website: str | None = Field(default=None, max_length=500, pattern=r"^https?://")


class Property(PropertyInput):
    """A stored property, as the API returns it."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    property_id: str
    created_at: str
    updated_at: str
