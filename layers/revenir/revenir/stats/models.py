"""The dashboard's figures: one month and the 12 months ending with it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from revenir.carts.models import CartStats

_OUT = ConfigDict(defer_build=True)


class CodeFigures(BaseModel):
    model_config = _OUT
    uses: int = Field(description="Promo codes, private sales and partner cards redeemed (released ones subtracted).")
    discount_given: dict[str, int] = Field(description="Minor units per currency.")


class VoucherFigures(BaseModel):
    model_config = _OUT
    sold: int = Field(description="Gift vouchers issued from paid orders.")
    revenue: dict[str, int] = Field(description="Minor units per currency.")


class EmailFigures(BaseModel):
    model_config = _OUT
    sent: int
    failed: int
    bounced: int = Field(description="Only bounces whose property is known (see docs/data-model.md).")
    unsubscribed: int


class PeriodFigures(BaseModel):
    model_config = _OUT
    codes: CodeFigures
    vouchers: VoucherFigures
    carts: CartStats
    emails: EmailFigures


class ReviewFigures(BaseModel):
    model_config = _OUT
    average: float | None = Field(description="0–5, two decimals; null without reviews.")
    count: int


class Dashboard(BaseModel):
    model_config = _OUT
    property_id: str
    month: str = Field(description="YYYY-MM, the property's local month.", examples=["2026-07"])
    this_month: PeriodFigures
    last_12_months: PeriodFigures = Field(description="The 12 months ending with `month`.")
    reviews: ReviewFigures = Field(description="Current state, all time.")
