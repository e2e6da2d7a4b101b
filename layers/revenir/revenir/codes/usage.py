"""Code usage tracking (seed 004, "Suivre l'utilisation du code promo"): per code, the bookings that used it —
date (the property's local day), booking, guest, discount, booking total, status — with totals over a period,
paginated, and a CSV export. The usage items are written in the redemption's own transaction
(revenir.codes.store); a held redemption's status is read from its record (confirming stays one write).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Amount(BaseModel):
    model_config = ConfigDict(extra="ignore")
    amount: int
    currency: str


class UsageRow(BaseModel):
    model_config = ConfigDict(extra="ignore")
    date: str = Field(description="The property's local day of the redemption")
    created_at: str
    booking_id: str
    guest_email: str | None = None
    discount: Amount | None = None
    booking_total: Amount | None = Field(default=None, description="The basket before the discount")
    status: str = Field(description="held, confirmed or released")
    released_at: str | None = None


class UsageTotals(BaseModel):
    uses: int = Field(description="Held and confirmed uses in the period")
    released: int
    discount: dict[str, int] = Field(description="Discount given per currency (minor units), releases excluded")
    booking_total: dict[str, int] = Field(description="Bookings' totals per currency, releases excluded")


class UsageReport(BaseModel):
    code: str
    promo_id: str
    date_from: date | None = None
    date_to: date | None = None
    totals: UsageTotals
    usages: list[UsageRow]
    next_cursor: str | None = None


def totals(rows: list[UsageRow]) -> UsageTotals:
    out = UsageTotals(uses=0, released=0, discount={}, booking_total={})
    for row in rows:
        if row.status == "released":
            out.released += 1
            continue
        out.uses += 1
        for amount, bucket in ((row.discount, out.discount), (row.booking_total, out.booking_total)):
            if amount is not None:
                bucket[amount.currency] = bucket.get(amount.currency, 0) + amount.amount
    return out


CSV_COLUMNS = ("date", "booking_id", "guest_email", "discount", "booking_total", "currency", "status")


def usage_csv(rows: list[UsageRow], lang: str) -> str:
    """The shared locale-aware CSV (revenir.i18n.csv_export): amounts as decimals, statuses as words."""
    from revenir.i18n import csv_export, t

    def money(value: Amount | None) -> csv_export.Amount | None:
        return None if value is None else csv_export.Amount(value.amount, value.currency)

    return csv_export.write("code_usage", CSV_COLUMNS, (
        [r.date, r.booking_id, r.guest_email, money(r.discount), money(r.booking_total), _currency(r),
         t(lang, f"csv.code_usage.status.{r.status}")] for r in rows), lang)


def _currency(row: UsageRow) -> str:
    money = row.booking_total or row.discount
    return money.currency if money is not None else ""


__all__ = ["UsageReport", "UsageRow", "UsageTotals", "totals", "usage_csv"]
