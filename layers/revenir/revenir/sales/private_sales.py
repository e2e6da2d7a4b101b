"""Private sales (ventes privées): a discount or an advantage, reachable only by an unguessable link token
or an access code, with stay-length and arrival-day rules (seed 000)."""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from revenir.codes.models import (
    AmountDiscount,
    BasketLine,
    Discount,
    GuestLanguage,
    Reason,
    StayRules,
    normalize_code,
    stay_rules_reason,
)
from revenir.core import pricing
from revenir.core.pricing import Line, PricedLine
from revenir.core.validation import Day, Identifier, SingleLine

SaleStatus = Literal["upcoming", "active", "ended", "archived"]
_ACCESS_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{3,31}$")


def new_link_token() -> str:
    """128 random bits, URL-safe: the only way in besides the access code."""
    return secrets.token_urlsafe(16)


class PrivateSaleFields(StayRules):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    name: SingleLine = Field(min_length=1, max_length=120, examples=["Vente privée printemps"])
    name_translations: dict[GuestLanguage, str] = Field(default_factory=dict)
    description: str | None = Field(default=None, max_length=2000)
    description_translations: dict[GuestLanguage, str] = Field(default_factory=dict)
    kind: Literal["discount", "advantage"]
    discount: Discount | None = Field(default=None, description="Required when kind is discount.")
    advantage: str | None = Field(default=None, max_length=300, examples=["Petit-déjeuner offert"])
    advantage_translations: dict[GuestLanguage, str] = Field(default_factory=dict)
    free_offer_id: Identifier | None = Field(default=None, description="An option offered free with the advantage.")
    publish_from: Day = Field(description="First day the sale can be opened (property's local calendar).")
    publish_until: Day = Field(description="Last day, included.")
    access_code: str | None = Field(default=None, description="Optional code a guest can type instead of the link.")

    @field_validator("access_code")
    @classmethod
    def _access_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = normalize_code(value)
        if not _ACCESS_CODE.match(value):
            raise ValueError("4 to 32 letters, digits, '-' or '_'")
        return value

    @model_validator(mode="after")
    def _kind(self) -> PrivateSaleFields:
        if self.kind == "discount" and self.discount is None:
            raise ValueError("a discount sale needs a discount")
        if self.kind == "advantage" and not self.advantage:
            raise ValueError("an advantage sale needs the advantage text")
        if self.publish_until < self.publish_from:
            raise ValueError("publish_until is before publish_from")
        return self


class PrivateSaleInput(PrivateSaleFields):
    """Create or replace a private sale."""


class PrivateSale(PrivateSaleFields):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    id: str
    property_id: str
    link_token: str = Field(description="Put it in the sale's link: …/vente-privee?token=…")
    archived: bool = False
    created_at: str
    updated_at: str

    def status_on(self, today: date) -> SaleStatus:
        if self.archived:
            return "archived"
        if today < self.publish_from:
            return "upcoming"
        if today > self.publish_until:
            return "ended"
        return "active"


class PrivateSaleOut(PrivateSale):
    status: SaleStatus


class PublicSale(BaseModel):
    """What a guest who opened the link sees."""

    model_config = ConfigDict(defer_build=True)

    name: str
    description: str | None
    kind: str
    discount: Discount | None
    advantage: str | None
    free_offer_id: str | None
    status: SaleStatus
    publish_until: Day
    min_nights: int | None
    max_nights: int | None
    arrival_weekdays: list[int] | None
    stay_from: Day | None
    stay_until: Day | None
    offer_ids: list[str] | None


class PriceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    arrival: Day
    departure: Day
    lines: list[BasketLine] = Field(min_length=1, max_length=100)


def public_view(sale: PrivateSale, today: date, language: str | None) -> PublicSale:
    lang = language if language in ("fr", "en", "nl", "de") else None

    def tr(base: str | None, translations: dict[GuestLanguage, str]) -> str | None:
        return translations.get(lang, base) if lang else base  # type: ignore[call-overload]

    return PublicSale(name=tr(sale.name, sale.name_translations) or sale.name,
                      description=tr(sale.description, sale.description_translations), kind=sale.kind,
                      discount=sale.discount, advantage=tr(sale.advantage, sale.advantage_translations),
                      free_offer_id=sale.free_offer_id, status=sale.status_on(today), publish_until=sale.publish_until,
                      min_nights=sale.min_nights, max_nights=sale.max_nights, arrival_weekdays=sale.arrival_weekdays,
                      stay_from=sale.stay_from, stay_until=sale.stay_until, offer_ids=sale.offer_ids)


def evaluate_sale(sale: PrivateSale, arrival: date, departure: date, lines: list[Line],
                  today: date) -> tuple[Reason | None, list[PricedLine]]:
    """Price a basket with a sale: (reason it does not apply, priced lines)."""
    status = sale.status_on(today)
    if status in ("archived",):
        return "unknown", []
    if status == "upcoming":
        return "not_yet_valid", []
    if status == "ended":
        return "expired", []
    currency = pricing.basket_currency(lines)
    if isinstance(sale.discount, AmountDiscount) and sale.discount.currency != currency:
        return "not_applicable", []
    reason, applicable = stay_rules_reason(sale, arrival, departure, lines)
    if reason is not None:
        return reason, []
    if sale.kind == "advantage":
        free = [line.offer_id == sale.free_offer_id for line in lines]
        return None, [PricedLine(li.offer_id, li.amount, li.currency, li.amount if f else 0)
                      for li, f in zip(lines, free, strict=True)]
    if isinstance(sale.discount, AmountDiscount):
        return None, pricing.apply_amount(lines, applicable, sale.discount.amount)
    assert sale.discount is not None
    return None, pricing.apply_percent(lines, applicable, sale.discount.percent, sale.discount.max_amount)
