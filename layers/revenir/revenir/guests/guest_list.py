"""The guest list of seed 002: bookings by arrival with their guest, filtered; 'reachable by e-mail' on by
default (valid address, booking not cancelled, guest not unsubscribed, address not bounced)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from revenir.core.validation import Day
from revenir.guests.store import GuestRepository
from revenir.i18n import csv_export
from revenir.table.dynamodb import public


class GuestFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    arrival_from: Day | None = None
    arrival_to: Day | None = None
    departure_from: Day | None = None
    departure_to: Day | None = None
    created_from: Day | None = None
    created_to: Day | None = None
    updated_from: Day | None = None
    updated_to: Day | None = None
    name: str | None = None
    booking_id: str | None = None
    reachable: bool = True
    checked_in: bool | None = None


def _within(value: str, start: date | None, end: date | None) -> bool:
    day = value[:10]
    return (start is None or day >= str(start)) and (end is None or day <= str(end))


def guest_rows(repository: GuestRepository, property_id: str, filters: GuestFilters) -> list[dict[str, Any]]:
    """One Query of the arrivals index for the window, one BatchGetItem per 50 guests; filters in memory."""
    bookings = repository.bookings_by_arrival(property_id, str(filters.arrival_from or "0000"),
                                              str(filters.arrival_to or "9999"))
    emails = sorted({b["email"] for b in bookings})
    guests = repository.profiles(property_id, emails)
    rows = []
    for booking in bookings:
        profile = guests[booking["email"]]["profile"] or {}
        suppressed = guests[booking["email"]]["suppressed"]
        checked_in = booking["status"] in ("checked_in", "checked_out")
        reachable = (booking["status"] != "cancelled" and not profile.get("unsubscribed") and suppressed is None
                     and not booking["email"].endswith("@invalid"))
        row = {**public(booking), "nights": (date.fromisoformat(booking["departure"])
                                             - date.fromisoformat(booking["arrival"])).days,
               "checked_in": checked_in, "reachable": reachable,
               "unsubscribed": bool(profile.get("unsubscribed")), "bounced": suppressed is not None}
        if filters.reachable and not reachable:
            continue
        if filters.checked_in is not None and checked_in != filters.checked_in:
            continue
        if not _within(booking["departure"], filters.departure_from, filters.departure_to):
            continue
        if not _within(booking["created_at"], filters.created_from, filters.created_to):
            continue
        if not _within(booking["updated_at"], filters.updated_from, filters.updated_to):
            continue
        if filters.name and filters.name.casefold() not in f"{booking['first_name']} {booking['last_name']}".casefold():
            continue
        if filters.booking_id and filters.booking_id.casefold() not in booking["booking_id"].casefold():
            continue
        rows.append(row)
    return rows


#: The CSV export's columns, in order (headers: the `csv` catalog, `csv.guests.<column>`).
CSV_COLUMNS = ["booking_id", "first_name", "last_name", "email", "phone", "country", "language", "arrival",
               "departure", "nights", "adults", "children", "channel", "status", "checked_in", "total", "currency",
               "reachable", "created_at", "updated_at"]


@dataclass(frozen=True)
class GuestList:
    """The host's guest list: by default guests arriving from today to +30 days (the property's day)."""

    repository: GuestRepository

    def filters(self, property_id: str, all_arrivals: bool = False, **given: Any) -> GuestFilters:
        """The given filters (None means not given), the arrival window defaulting to the next 30 days; with
        `all_arrivals`, every arrival, past and future (only the bounds given apply)."""
        from revenir.guests.lifecycle import default_window

        filters = GuestFilters(**{k: v for k, v in given.items() if v is not None})
        if all_arrivals:
            return filters
        context = self.repository.property_context(property_id)
        start, end = default_window(str((context.property_item or {})["time_zone"]))
        if filters.arrival_from is None:
            filters.arrival_from = start
        if filters.arrival_to is None:
            filters.arrival_to = end
        return filters

    def page(self, property_id: str, *, limit: int, cursor: str | None, **given: Any
             ) -> tuple[list[dict[str, Any]], int, str | None]:
        """(rows, total, next cursor): the cursor is the offset in the filtered list."""
        rows = guest_rows(self.repository, property_id, self.filters(property_id, **given))
        offset = int(cursor or 0)
        next_cursor = str(offset + limit) if offset + limit < len(rows) else None
        return rows[offset:offset + limit], len(rows), next_cursor

    def csv_export(self, property_id: str, locale: str | None = None, **given: Any) -> str:
        """The filtered list as CSV (revenir.i18n.csv_export): in the property's language or `locale`, totals as
        decimals, booleans as words, every cell neutralised (issue 12, item 5; issue 15, item 6)."""
        rows = guest_rows(self.repository, property_id, self.filters(property_id, **given))
        prop = self.repository.property_item(property_id) or {}
        lang = csv_export.language(locale, prop.get("default_language"))

        def value(row: dict[str, Any], column: str) -> Any:
            if column == "total":
                total, currency = row.get("total"), row.get("currency") or prop.get("currency")
                return csv_export.Amount(int(total), str(currency)) if total is not None and currency else total
            return row.get(column)

        return csv_export.write("guests", CSV_COLUMNS, ([value(r, c) for c in CSV_COLUMNS] for r in rows), lang)
