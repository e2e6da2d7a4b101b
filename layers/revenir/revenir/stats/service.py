"""The back-office dashboard: 13 monthly counter items (one Query), the carts' figures (revenir.carts) and the
reviews' counters (revenir.reviews)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from revenir.carts.models import CartStats
from revenir.carts.service import CartService
from revenir.core import clock
from revenir.core.errors import InvalidInput
from revenir.reviews.service import ReviewService
from revenir.stats.models import CodeFigures, Dashboard, EmailFigures, PeriodFigures, ReviewFigures, VoucherFigures
from revenir.stats.store import StatsRepository, month_bounds, months_ending
from revenir.table.dynamodb import Item

_MONTH = re.compile(r"^(19\d\d|2[01]\d\d)-(0[1-9]|1[0-2])$")  # the years every date field allows


def _sum(items: Iterable[Item], name: str) -> int:
    return sum(int(i.get(name, 0) or 0) for i in items)


def _per_currency(items: Iterable[Item], prefix: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        for name, amount in item.items():
            if name.startswith(prefix) and len(name) == len(prefix) + 3:
                out[name[len(prefix):]] = out.get(name[len(prefix):], 0) + int(amount)
    return {cur: amount for cur, amount in sorted(out.items()) if amount}


def _figures(items: list[Item], carts: CartStats) -> PeriodFigures:
    return PeriodFigures(
        codes=CodeFigures(uses=_sum(items, "code_uses"), discount_given=_per_currency(items, "discount_")),
        vouchers=VoucherFigures(sold=_sum(items, "vouchers_sold"),
                                revenue=_per_currency(items, "voucher_revenue_")),
        carts=carts,
        emails=EmailFigures(sent=_sum(items, "emails_sent"), failed=_sum(items, "emails_failed"),
                            bounced=_sum(items, "emails_bounced"), unsubscribed=_sum(items, "unsubscribed")))


@dataclass
class DashboardService:
    stats: StatsRepository
    carts: CartService
    reviews: ReviewService

    def dashboard(self, property_id: str, month: str | None) -> Dashboard:
        if month is not None and not _MONTH.match(month):
            raise InvalidInput("month must be YYYY-MM", code="invalid_month", details=[{"field": "query.month"}])
        summary = self.reviews.summary(property_id, latest=0)  # 404 for an unknown property
        time_zone = self.carts.properties.get(property_id).time_zone
        month = month or clock.local_today(time_zone).strftime("%Y-%m")
        months = months_ending(month, 12)
        found = self.stats.months(property_id, months[0], months[-1])
        first, last = month_bounds(month)
        year_start, _ = month_bounds(months[0])
        this = _figures([found[month]] if month in found else [],
                        self.carts.stats(property_id, first, last))
        year = _figures(list(found.values()), self.carts.stats(property_id, year_start, last))
        return Dashboard(property_id=property_id, month=month, this_month=this, last_12_months=year,
                         reviews=ReviewFigures(average=summary.average, count=summary.count))
