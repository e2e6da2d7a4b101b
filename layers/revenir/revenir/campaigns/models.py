"""Campaigns: what the host writes (texts per language, audience, promo code) and what they read (figures)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from revenir.codes.models import GuestLanguage
from revenir.core.validation import Day, Identifier, SingleLine
from revenir.guests.templates import Content

CampaignStatus = Literal["draft", "scheduled", "planning", "sending", "sent", "cancelled"]


class Audience(BaseModel):
    """Who receives it, among the property's guests (every stay, past and future). Marketing rules always apply
    on top: consent given, not unsubscribed, address not suppressed, not an OTA relay address."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    segments: list[Identifier] = Field(default_factory=list, max_length=20,
                                       description="Guests in any of these segments (empty: every guest).")
    exclude_segments: list[Identifier] = Field(default_factory=list, max_length=20,
                                               description="Never guests in any of these segments.")
    tags: list[Identifier] = Field(default_factory=list, max_length=20,
                                   description="Guests with any of these tags (empty: any).")
    languages: list[GuestLanguage] = Field(default_factory=list, description="Only guests in these languages.")
    stayed_from: Day | None = Field(default=None, description="Only guests with an arrival on or after.")
    stayed_until: Day | None = Field(default=None, description="Only guests with an arrival on or before.")
    repeat_guests_only: bool = False


class PromoChoice(BaseModel):
    """A promo code in the e-mail (`{{ promo_code.code }}`): one shared existing code, or one single-use code
    per recipient made by the promo-code engine from a model code (its discount and stay rules)."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["shared", "per_recipient"]
    promo_code_id: Identifier = Field(description="The shared code, or the model of the single-use codes.")
    valid_days: int = Field(default=60, ge=1, le=730, description="Per-recipient codes: valid this many days.")


class CampaignInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: SingleLine = Field(min_length=1, max_length=120)
    versions: dict[GuestLanguage, Content] = Field(min_length=1, description="Subject, HTML and text per language "
                                                   "(Jinja2 in the sandbox; variables: GET …/campaigns/variables).")
    audience: Audience = Field(default_factory=Audience)
    promo: PromoChoice | None = None
    attribution_days: int = Field(default=30, ge=1, le=365,
                                  description="A shared code's redemptions by recipients count this long after "
                                              "the send.")


class CampaignPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: SingleLine | None = Field(default=None, min_length=1, max_length=120)
    versions: dict[GuestLanguage, Content] | None = Field(default=None, min_length=1)
    audience: Audience | None = None
    promo: PromoChoice | None = None
    attribution_days: int | None = Field(default=None, ge=1, le=365)
    revision: str | None = Field(default=None, max_length=32, description="409 when the campaign changed since.")


class Campaign(CampaignInput):
    campaign_id: str
    property_id: str
    status: CampaignStatus
    send_at: str | None = None
    revision: str
    created_at: str
    updated_at: str
    planned: int = 0
    planned_at: str | None = None


class ScheduleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    send_at: AwareDatetime | None = Field(default=None, description="When (with its offset); empty: now.")


class AudienceCount(BaseModel):
    recipients: int = Field(description="Guests who would receive it now.")
    guests: int = Field(description="Guests matching the audience before the marketing rules.")
    excluded: dict[str, int] = Field(description="Guests left out, per reason (no_marketing_consent, unsubscribed, "
                                                 "address_bounced, ota_relay_address…).")


class CampaignTestSend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254, description="The property's contact address or your own sign-in address.")
    language: GuestLanguage | None = None


class Revenue(BaseModel):
    amount: int = Field(description="Minor units.")
    currency: str


class Figures(BaseModel):
    campaign_id: str
    status: CampaignStatus
    recipients: int = Field(description="Recipients planned (after the marketing rules).")
    sent: int
    suppressed: int = Field(description="Left out at send time (consent withdrawn, unsubscribed, bounced meanwhile).")
    failed: int
    bounced: int
    complained: int
    unsubscribed: int = Field(description="Recipients who unsubscribed through this campaign's link.")
    codes_redeemed: int
    revenue: list[Revenue] = Field(description="Bookings paid with the campaign's codes, per currency (minor units).")


class CampaignList(BaseModel):
    campaigns: list[Campaign]
