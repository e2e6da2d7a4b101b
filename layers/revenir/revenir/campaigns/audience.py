"""Who a campaign goes to: the property's guests (the arrivals index: one Query, never a Scan; profiles and
suppressions in BatchGetItems of 50 guests) matching the audience, minus the marketing rules — consent given,
not unsubscribed, address not suppressed, not an OTA relay address (revenir.guests.dispatch)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from revenir.campaigns.models import Audience
from revenir.guests.bookings import Booking
from revenir.guests.dispatch import suppression_reason
from revenir.guests.segments import member_of
from revenir.guests.store import GuestRepository
from revenir.table.dynamodb import Item


@dataclass
class Selection:
    recipients: list[Item] = field(default_factory=list)  # sorted by e-mail: the planner's resumable order
    guests: int = 0
    excluded: Counter[str] = field(default_factory=Counter)


def marketing_exclusion(email: str, profile: Item | None, suppressed: Item | None) -> str | None:
    """Why a guest may not receive a promotional e-mail now (None: they may)."""
    if email.endswith("@invalid"):  # an erased guest's anonymised bookings
        return "erased"
    return suppression_reason("marketing", email, profile, suppressed)


def select(repository: GuestRepository, property_id: str, audience: Audience) -> Selection:
    bookings = repository.bookings_by_arrival(property_id, str(audience.stayed_from or "0000"),
                                              str(audience.stayed_until or "9999"))
    by_guest: dict[str, list[Item]] = {}
    for booking in bookings:
        by_guest.setdefault(booking["email"], []).append(booking)
    emails = sorted(by_guest)
    profiles = repository.profiles(property_id, emails)
    segments = repository.segments(property_id) if (audience.segments or audience.exclude_segments) else []
    selection = Selection()
    for email in emails:
        stays = sorted(by_guest[email], key=lambda b: (b.get("status") != "cancelled", b["arrival"]))
        latest = stays[-1]
        profile = profiles[email]["profile"] or {}
        tags = set(profile.get("tags") or []) | set(latest.get("tags") or [])
        repeat = sum(b.get("status") != "cancelled" for b in stays) > 1
        language = profile.get("language") or latest.get("language")
        if audience.repeat_guests_only and not repeat:
            continue
        if audience.tags and not set(audience.tags) & tags:
            continue
        if audience.languages and language not in audience.languages:
            continue
        if segments:
            membership = member_of(segments, Booking.model_validate(latest), repeat, tags)
            if audience.segments and not set(audience.segments) & membership:
                continue
            if set(audience.exclude_segments) & membership:
                continue
        selection.guests += 1
        reason = marketing_exclusion(email, profiles[email]["profile"], profiles[email]["suppressed"])
        if reason:
            selection.excluded[reason] += 1
            continue
        selection.recipients.append({"email": email, "first_name": profile.get("first_name") or latest.get(
            "first_name"), "last_name": profile.get("last_name") or latest.get("last_name"), "language": language})
    return selection
