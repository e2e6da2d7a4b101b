"""Code usage tracking (seed 004, "Suivre l'utilisation du code promo"): per code, the bookings that used it —
date (the property's local day), booking, guest, discount, booking total, status — with totals over a period,
paginated, and a CSV export. The usage items are written in the redemption's own transaction
(revenir.codes.store); a held redemption's status is read from its record (confirming stays one write).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from revenir.core.csv_safe import safe_row
from revenir.core.money import minor_unit_exponent


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


def _major(money: Amount | None) -> str:
    if money is None:
        return ""
    exponent = minor_unit_exponent(money.currency)
    if not exponent:
        return str(money.amount)
    sign = "-" if money.amount < 0 else ""
    units, cents = divmod(abs(money.amount), 10**exponent)
    return f"{sign}{units},{cents:0{exponent}d}"


def write_csv(header: tuple[str, ...], rows: list[list[Any]]) -> str:
    """The one place a usage CSV is written: switch it to the shared locale-aware writer (issue 15) here.
    Today: Excel-friendly as the vouchers' export (BOM, `;`, CRLF, decimal commas), every cell neutralised."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_row(row))
    return "\ufeff" + buffer.getvalue()


def _currency(row: UsageRow) -> str:
    money = row.booking_total or row.discount
    return money.currency if money is not None else ""


def usage_csv(rows: list[UsageRow]) -> str:
    return write_csv(CSV_COLUMNS, [
        [r.date, r.booking_id, r.guest_email or "", _major(r.discount), _major(r.booking_total), _currency(r),
         r.status] for r in rows])


__all__ = ["UsageReport", "UsageRow", "UsageTotals", "totals", "usage_csv", "write_csv"]
