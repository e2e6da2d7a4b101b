"""A gift voucher's usage (issue 17, item 4): the amount each booking consumed, read from the voucher's
ledger (every redemption and release is an entry written in the redemption's own transaction), with totals
over a period of the property's local days, and a CSV export through revenir.codes.usage.write_csv.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from revenir.core import clock
from revenir.core.errors import InvalidInput
from revenir.properties.store import PropertyRepository
from revenir.vouchers import codes as voucher_codes
from revenir.vouchers.store import VoucherRepository


class VoucherUse(BaseModel):
    date: str = Field(description="The property's local day of the redemption")
    at: str
    booking_id: str
    amount: int = Field(description="Consumed by the booking, minor units (0 once released)")
    redeemed: int = Field(description="Taken at redemption, minor units")
    status: str = Field(description="redeemed or released")


class VoucherUsageReport(BaseModel):
    code: str
    currency: str
    initial_value: int
    balance: int
    date_from: date | None = None
    date_to: date | None = None
    bookings: int = Field(description="Bookings that still use the voucher in the period")
    consumed: int = Field(description="Amount consumed in the period, minor units")
    usages: list[VoucherUse]


def uses_of(ledger: list[dict[str, Any]], time_zone: str) -> list[VoucherUse]:
    """One row per booking: what its redemptions took, less what its releases gave back. Newest first."""
    by_booking: dict[str, VoucherUse] = {}
    for entry in ledger:
        booking = entry.get("booking_id")
        if not booking or entry.get("kind") not in ("redeem", "release"):
            continue
        amount = -int(entry["amount"])  # a redemption is a negative movement
        use = by_booking.get(booking)
        if use is None:
            local = clock.local_today(time_zone, datetime.fromisoformat(str(entry["at"]).replace("Z", "+00:00")))
            use = by_booking[booking] = VoucherUse(date=local.isoformat(), at=str(entry["at"]), booking_id=booking,
                                                   amount=0, redeemed=0, status="redeemed")
        use.amount += amount
        if entry["kind"] == "redeem":
            use.redeemed += amount
            use.status = "redeemed"
        else:
            use.status = "released"
    return sorted(by_booking.values(), key=lambda u: u.at, reverse=True)


class VoucherUsage:
    def __init__(self, vouchers: VoucherRepository, properties: PropertyRepository):
        self.vouchers = vouchers
        self.properties = properties

    def report(self, property_id: str, code: str, date_from: date | None, date_to: date | None,
               ) -> VoucherUsageReport:
        if date_from and date_to and date_from > date_to:
            raise InvalidInput("date_from is after date_to", code="invalid_period",
                               details=[{"field": "query.date_from"}])
        time_zone = self.properties.get(property_id).time_zone
        item = self.vouchers.get_voucher_item(property_id, voucher_codes.parse(code))
        uses = [u for u in uses_of(self.vouchers.ledger(property_id, item), time_zone)
                if (date_from is None or u.date >= date_from.isoformat())
                and (date_to is None or u.date <= date_to.isoformat())]
        return VoucherUsageReport(
            code=voucher_codes.display(item["code"]), currency=item["currency"],
            initial_value=int(item["initial_value"]), balance=int(item["balance"]), date_from=date_from,
            date_to=date_to, bookings=sum(1 for u in uses if u.status == "redeemed"),
            consumed=sum(u.amount for u in uses), usages=uses)

    def csv(self, property_id: str, code: str, date_from: date | None, date_to: date | None,
            locale: str | None = None) -> str:
        """The shared locale-aware CSV (revenir.i18n.csv_export), in the property's language or `locale`."""
        from revenir.i18n import csv_export, t

        report = self.report(property_id, code, date_from, date_to)
        lang = csv_export.language(locale, self.properties.get(property_id).default_language)
        return csv_export.write("voucher_usage", ("date", "booking_id", "amount", "currency", "status"), (
            [u.date, u.booking_id, csv_export.Amount(u.amount, report.currency), report.currency,
             t(lang, f"csv.voucher_usage.status.{u.status}")] for u in report.usages), lang)


__all__ = ["VoucherUsage", "VoucherUsageReport", "uses_of"]
