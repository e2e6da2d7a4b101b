"""The guest list of seed 002: bookings by arrival with their guest, filtered; 'reachable by e-mail' on by
default (valid address, booking not cancelled, guest not unsubscribed, address not bounced)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from revenir.guests.store import GuestRepository
from revenir.table.dynamodb import public


class GuestFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    arrival_from: date | None = None
    arrival_to: date | None = None
    departure_from: date | None = None
    departure_to: date | None = None
    created_from: date | None = None
    created_to: date | None = None
    updated_from: date | None = None
    updated_to: date | None = None
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
