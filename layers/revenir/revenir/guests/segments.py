"""Guest segments: rules over booking and guest data, to target or exclude templates and upsell offers.

All conditions of a segment must hold (AND); a condition's listed values are alternatives (OR).
Seed 003: never offer breakfast to a guest whose rate includes it — an upsell excludes the segment
`{"rate_includes": ["breakfast"]}`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from revenir.core.validation import SingleLine
from revenir.guests.bookings import Booking

GroupType = Literal["solo", "couple", "family", "group"]


class SegmentRules(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    channel: list[Literal["direct", "ota"]] | None = None
    channels: list[str] | None = Field(default=None, description="Exact channel names, e.g. booking.com.")
    trip_purpose: list[str] | None = None
    repeat_guest: bool | None = None
    group_type: list[GroupType] | None = None
    rate_includes: list[str] | None = Field(default=None, description="Matches when the rate includes any of these.")
    tags: list[str] | None = Field(default=None, description="Matches when the guest has any of these tags.")


class SegmentInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    name: SingleLine = Field(min_length=1, max_length=100, examples=["Familles"])
    rules: SegmentRules


class Segment(SegmentInput):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    segment_id: str


class Targeting(BaseModel):
    """Which segments a template variant or an upsell offer is for, and which it must never reach."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    segments: list[str] = Field(default_factory=list, description="Any of these (empty: everyone).")
    exclude_segments: list[str] = Field(default_factory=list, description="None of these, ever.")


def matches(rules: SegmentRules, booking: Booking, repeat_guest: bool, guest_tags: Iterable[str] = ()) -> bool:
    if rules.channel is not None and ("ota" if booking.is_ota else "direct") not in rules.channel:
        return False
    if rules.channels is not None and booking.channel.lower() not in {c.lower() for c in rules.channels}:
        return False
    if rules.trip_purpose is not None and booking.trip_purpose not in rules.trip_purpose:
        return False
    if rules.repeat_guest is not None and repeat_guest != rules.repeat_guest:
        return False
    if rules.group_type is not None and booking.group_type not in rules.group_type:
        return False
    if rules.rate_includes is not None and not set(rules.rate_includes) & set(booking.rate_includes):
        return False
    tags = set(guest_tags) | set(booking.tags)
    return not (rules.tags is not None and not set(rules.tags) & tags)


def member_of(segments: Iterable[Segment], booking: Booking, repeat_guest: bool,
              guest_tags: Iterable[str] = ()) -> set[str]:
    """The ids of the segments a booking's guest belongs to."""
    return {s.segment_id for s in segments if matches(s.rules, booking, repeat_guest, guest_tags)}


def targeted(targeting: Targeting, membership: set[str]) -> bool:
    if set(targeting.exclude_segments) & membership:
        return False
    return not targeting.segments or bool(set(targeting.segments) & membership)
