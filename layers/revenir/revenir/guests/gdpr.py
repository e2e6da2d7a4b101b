"""GDPR export and erasure across capabilities: every store that keeps personal data about a guest implements
`GuestDataHolder` (export_guest / erase_guest), and the guests capability loops over the holders it is given.

This is pretix's data-shredder pattern: the guests capability never reads or edits another capability's items
itself; a new capability that stores guest data adds a holder and is wired in functions/guests/app.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class GuestRef:
    """One guest of one property, with what the guest's partition says about them: their bookings, and links
    to records other capabilities keep (kind -> refs, e.g. CART -> cart ids, REDEMPTION -> booking ids)."""

    property_id: str
    email: str
    booking_ids: frozenset[str] = frozenset()
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class GuestDataHolder(Protocol):
    """A store that holds personal data about guests."""

    def export_guest(self, guest: GuestRef) -> dict[str, Any]:
        """Sections of the guest's GDPR export (art. 15/20): section name -> records (public fields only)."""
        ...

    def erase_guest(self, guest: GuestRef) -> dict[str, int]:
        """Erase or anonymise what this store holds about the guest (art. 17); counts for the report."""
        ...


class BookingRatings(Protocol):
    """The ratings guests gave a booking through our review form (the guest profile shows them)."""

    def ratings_by_booking(self, property_id: str, booking_ids: list[str]) -> dict[str, float]: ...
