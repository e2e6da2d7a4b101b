"""Promo codes: what a host defines, and the rules that decide whether a code applies to a basket.

Pure domain: the repository (revenir.codes.store) loads candidates and counters in one round
trip and writes redemptions in one transaction; this module decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from revenir.core import pricing
from revenir.core.pricing import Line, PricedLine
from revenir.core.validation import Currency, Day, Email, Identifier, SingleLine

GuestLanguage = Literal["fr", "en", "nl", "de"]

#: Why a code does not apply. Stable: the widget and the booking engine switch on these.
Reason = Literal["unknown", "not_yet_valid", "expired", "exhausted", "guest_limit_reached", "not_applicable",
                 "min_nights", "max_nights", "arrival_day", "min_amount", "first_stay_only"]

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")


def normalize_code(value: str) -> str:
    """Codes are case-insensitive and trimmed: ' merci2024 ' is MERCI2024."""
    return value.strip().upper()


class AmountDiscount(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    type: Literal["amount"]
    amount: int = Field(gt=0, description="Minor units (cents).", examples=[5000])
    currency: Currency


class PercentDiscount(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    type: Literal["percent"]
    percent: float = Field(gt=0, le=100, multiple_of=0.01, examples=[10])
    max_amount: int | None = Field(default=None, gt=0, description="Optional cap, minor units of the basket.")


Discount = Annotated[AmountDiscount | PercentDiscount, Field(discriminator="type")]


class StayRules(BaseModel):
    """Conditions on the stay shared by promo codes and private sales."""

    model_config = ConfigDict(defer_build=True)

    stay_from: Day | None = Field(default=None, description="First arrival date the code covers.")
    stay_until: Day | None = Field(default=None, description="Last departure date the code covers.")
    min_nights: int | None = Field(default=None, ge=1)
    max_nights: int | None = Field(default=None, ge=1)
    arrival_weekdays: list[Annotated[int, Field(ge=1, le=7)]] | None = Field(
        default=None, description="Allowed arrival days, ISO weekdays (1 = Monday … 7 = Sunday).")
    min_amount: int | None = Field(default=None, ge=0, description="Minimum applicable subtotal, minor units.")
    offer_ids: list[Identifier] | None = Field(
        default=None, description="Applicable offers; null means every offer.")


class PromoCodeFields(StayRules):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    name: SingleLine = Field(min_length=1, max_length=120, examples=["Merci pour votre premier séjour"])
    name_translations: dict[GuestLanguage, str] = Field(default_factory=dict)
    description: str | None = Field(default=None, max_length=2000)
    description_translations: dict[GuestLanguage, str] = Field(default_factory=dict)
    discount: Discount
    valid_from: Day = Field(description="First day of use, in the property's time zone.")
    valid_until: Day = Field(description="Last day of use, included, in the property's time zone.")
    publish_from: Day | None = None
    publish_until: Day | None = None
    public: bool = Field(default=False, description="Listed by the public endpoint (widget, social posts).")
    max_uses: int | None = Field(default=None, ge=1, description="Total uses; null = unlimited.")
    max_uses_per_guest: int | None = Field(default=None, ge=1, description="Uses per guest e-mail; null = unlimited.")
    first_stay_only: bool = False

    @model_validator(mode="after")
    def _windows(self) -> PromoCodeFields:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        if self.stay_from and self.stay_until and self.stay_until < self.stay_from:
            raise ValueError("stay_until is before stay_from")
        if self.publish_from and self.publish_until and self.publish_until < self.publish_from:
            raise ValueError("publish_until is before publish_from")
        if self.min_nights and self.max_nights and self.max_nights < self.min_nights:
            raise ValueError("max_nights is below min_nights")
        return self


class PromoCodeInput(PromoCodeFields):
    """Create a promo code."""

    code: str = Field(description="What the guest types; case-insensitive, trimmed.", examples=["MERCI2024"])

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = normalize_code(value)
        if not _CODE.match(value):
            raise ValueError("2 to 32 letters, digits, '-' or '_'")
        return value


class PromoCodeUpdate(BaseModel):
    """Change a promo code: any field but the code string itself (archive it and create another)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    name: SingleLine | None = Field(default=None, min_length=1, max_length=120)
    name_translations: dict[GuestLanguage, str] | None = None
    description: str | None = None
    description_translations: dict[GuestLanguage, str] | None = None
    discount: Discount | None = None
    valid_from: Day | None = None
    valid_until: Day | None = None
    stay_from: Day | None = None
    stay_until: Day | None = None
    publish_from: Day | None = None
    publish_until: Day | None = None
    public: bool | None = None
    max_uses: int | None = Field(default=None, ge=1)
    max_uses_per_guest: int | None = Field(default=None, ge=1)
    offer_ids: list[Identifier] | None = None
    min_nights: int | None = Field(default=None, ge=1)
    max_nights: int | None = Field(default=None, ge=1)
    arrival_weekdays: list[Annotated[int, Field(ge=1, le=7)]] | None = None
    min_amount: int | None = Field(default=None, ge=0)
    first_stay_only: bool | None = None


class PromoCode(PromoCodeInput):
    """A stored promo code, as every read returns it."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    id: str
    property_id: str
    uses: int = Field(description="Confirmed uses plus uses held while a guest pays.")
    archived: bool = False
    created_at: str
    updated_at: str

    def overlaps(self, other: PromoCodeFields) -> bool:
        return self.valid_from <= other.valid_until and other.valid_from <= self.valid_until

    def is_published(self, today: date) -> bool:
        return (self.public and not self.archived
                and (self.publish_from is None or self.publish_from <= today)
                and (self.publish_until is None or today <= self.publish_until)
                and today <= self.valid_until)


class BasketLine(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    offer_id: Identifier
    amount: int = Field(ge=0, description="Line price in minor units.")
    currency: Currency


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    code: str = Field(min_length=1, max_length=64)
    arrival: Day
    departure: Day
    guest_email: Email | None = None
    lines: list[BasketLine] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _dates(self) -> ValidateRequest:
        if self.departure <= self.arrival:
            raise ValueError("departure must be after arrival")
        return self


class RedeemRequest(ValidateRequest):
    booking_id: Identifier
    hold: bool = Field(default=False, description="Reserve the use while the guest pays; confirm it after.")
    hold_minutes: int = Field(default=30, ge=1, le=24 * 60)


class MoneyOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    amount: int
    currency: str


class PricedLineOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    offer_id: str
    amount: int
    currency: str
    discount: int
    total: int


CodeKind = Literal["promo_code", "private_sale", "partner_card"]


class ValidateResponse(BaseModel):
    model_config = ConfigDict(defer_build=True)

    valid: bool
    reason: Reason | None = None
    kind: CodeKind | None = Field(default=None, description="What the typed code turned out to be.")
    discount: MoneyOut | None = None
    lines: list[PricedLineOut] | None = None
    code: str | None = None
    name: str | None = None
    advantage: str | None = Field(default=None, description="A private sale's advantage, e.g. breakfast offered.")
    conditions: list[Literal["first_stay_only", "max_uses_per_guest"]] = Field(
        default_factory=list, description="Guest-specific rules checked only at redemption (the booking engine "
        "knows the guest): an anonymous validation never reveals a guest's history.")


@dataclass
class Evaluation:
    reason: Reason | None
    promo: PromoCode | None = None
    lines: list[PricedLine] = field(default_factory=list)
    kind: CodeKind = "promo_code"
    name: str | None = None
    code: str | None = None
    advantage: str | None = None
    ref: str | None = None  # the promo code's, sale's or partner program's id

    @property
    def valid(self) -> bool:
        return self.reason is None

    @property
    def discount(self) -> int:
        return sum(line.discount for line in self.lines)

    def response(self) -> ValidateResponse:
        if self.reason is not None or not self.lines:
            return ValidateResponse(valid=False, reason=self.reason)
        currency = self.lines[0].currency
        conditions: list[Literal["first_stay_only", "max_uses_per_guest"]] = []
        if self.promo is not None and self.promo.first_stay_only:
            conditions.append("first_stay_only")
        if self.promo is not None and self.promo.max_uses_per_guest is not None:
            conditions.append("max_uses_per_guest")
        return ValidateResponse(
            valid=True, kind=self.kind, discount=MoneyOut(amount=self.discount, currency=currency), code=self.code,
            name=self.name, advantage=self.advantage, conditions=conditions,
            lines=[PricedLineOut(offer_id=li.offer_id, amount=li.amount, currency=li.currency, discount=li.discount,
                                 total=li.total) for li in self.lines])


def choose(candidates: Sequence[PromoCode], today: date) -> tuple[PromoCode | None, Reason | None]:
    """The code in force today among those sharing a string, or why none is."""
    live = [c for c in candidates if not c.archived]
    if not live:
        return None, "unknown"
    for candidate in live:
        if candidate.valid_from <= today <= candidate.valid_until:
            return candidate, None
    if any(c.valid_from > today for c in live):
        return None, "not_yet_valid"
    return None, "expired"


def stay_rules_reason(rules: StayRules, arrival: date, departure: date,
                      lines: Sequence[Line]) -> tuple[Reason | None, list[bool]]:
    """Check a stay against the rules; returns (reason, which lines the discount applies to)."""
    nights = (departure - arrival).days
    if rules.stay_from and arrival < rules.stay_from:
        return "not_applicable", []
    if rules.stay_until and departure > rules.stay_until:
        return "not_applicable", []
    if rules.min_nights and nights < rules.min_nights:
        return "min_nights", []
    if rules.max_nights and nights > rules.max_nights:
        return "max_nights", []
    if rules.arrival_weekdays and arrival.isoweekday() not in rules.arrival_weekdays:
        return "arrival_day", []
    applicable = [rules.offer_ids is None or line.offer_id in rules.offer_ids for line in lines]
    if not any(applicable):
        return "not_applicable", applicable
    subtotal = sum(line.amount for line, ok in zip(lines, applicable, strict=True) if ok)
    if rules.min_amount and subtotal < rules.min_amount:
        return "min_amount", applicable
    return None, applicable


def evaluate(candidates: Sequence[PromoCode], request: ValidateRequest, today: date, *,
             guest_uses: int = 0, guest_has_stayed: bool = False) -> Evaluation:
    """Decide whether the code applies to the basket today, and price it. Pure: no I/O."""
    promo, reason = choose(candidates, today)
    if promo is None:
        return Evaluation(reason)
    if promo.max_uses is not None and promo.uses >= promo.max_uses:
        return Evaluation("exhausted", promo)
    if promo.max_uses_per_guest is not None and guest_uses >= promo.max_uses_per_guest:
        return Evaluation("guest_limit_reached", promo)
    reason, priced = price(promo, promo.discount, request)
    if reason is None and promo.first_stay_only and guest_has_stayed:
        reason, priced = "first_stay_only", []
    return Evaluation(reason, promo, priced, name=promo.name, code=promo.code, ref=promo.id)


def price(rules: StayRules, discount: AmountDiscount | PercentDiscount, request: ValidateRequest
          ) -> tuple[Reason | None, list[PricedLine]]:
    """Apply the stay rules, then the discount to the applicable lines."""
    lines = [Line(li.offer_id, li.amount, li.currency) for li in request.lines]
    currency = pricing.basket_currency(lines)
    if isinstance(discount, AmountDiscount) and discount.currency != currency:
        return "not_applicable", []
    reason, applicable = stay_rules_reason(rules, request.arrival, request.departure, lines)
    if reason is not None:
        return reason, []
    if isinstance(discount, AmountDiscount):
        return None, pricing.apply_amount(lines, applicable, discount.amount)
    return None, pricing.apply_percent(lines, applicable, discount.percent, discount.max_amount)
