"""Who may be sent to an e-mailing tool, and what is sent: pure functions (tests/unit/test_mailing_rules.py).

A guest reaches a tool only with marketing consent, not unsubscribed, not suppressed (SES reported a permanent
bounce or a complaint) and not an OTA relay address (@guest.booking.com, airbnb relays: their terms allow stay
information only). Each rule is one function; `exclusion` applies them in order and names the first that fails.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from revenir.guests.bookings import is_ota_relay


def has_marketing_consent(profile: Mapping[str, Any] | None) -> bool:
    return bool(profile and profile.get("marketing_consent") is True)


def is_unsubscribed(profile: Mapping[str, Any] | None) -> bool:
    return bool(profile and profile.get("unsubscribed"))


def is_suppressed(suppression: Mapping[str, Any] | None) -> bool:
    return suppression is not None


def is_relay_address(email: str) -> bool:
    return is_ota_relay(email)


def exclusion(email: str, profile: Mapping[str, Any] | None, suppression: Mapping[str, Any] | None) -> str | None:
    """None when the guest may be in the tool, else why not (the first rule that fails)."""
    if profile is None:
        return "not_a_guest"
    if is_relay_address(email):
        return "ota_relay_address"
    if is_unsubscribed(profile):
        return "unsubscribed"
    if is_suppressed(suppression):
        return "suppressed"
    if not has_marketing_consent(profile):
        return "no_marketing_consent"
    return None


#: Revenir's fields a host maps to the tool's fields (the tool's defaults in DEFAULT_MAPPINGS).
FIELDS = ("first_name", "last_name", "language", "last_stay", "stays")


@dataclass(frozen=True)
class Contact:
    """What one guest looks like at the tool: the address, the mapped fields, and the segments as tags."""

    email: str
    fields: dict[str, str | int] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    def digest(self) -> str:
        body = json.dumps({"e": self.email, "f": self.fields, "t": sorted(self.tags)}, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:24]


def last_stay(stays: Iterable[Mapping[str, Any]], booking_ids: set[str], today: str) -> str | None:
    """The latest departure, on or before `today`, among the guest's stays (bookings not cancelled), ISO date:
    an upcoming booking is not a stay yet."""
    days = [str(s["departure"]) for s in stays
            if s.get("booking_id") in booking_ids and s.get("status") != "cancelled" and s.get("departure")
            and str(s["departure"]) <= today]
    return max(days) if days else None


def contact(email: str, profile: Mapping[str, Any], mapping: Mapping[str, str], *, stays: int,
            last_stay_day: str | None, segments: Iterable[str]) -> Contact:
    """The contact sent to the tool: only mapped fields with a value (an empty mapping target skips a field)."""
    values: dict[str, str | int | None] = {
        "first_name": profile.get("first_name"), "last_name": profile.get("last_name"),
        "language": profile.get("language"), "last_stay": last_stay_day, "stays": stays}
    fields = {target: value for name, target in mapping.items()
              if target and (value := values.get(name)) not in (None, "")}
    return Contact(email=email, fields=fields, tags=tuple(sorted({s for s in segments if s})))
