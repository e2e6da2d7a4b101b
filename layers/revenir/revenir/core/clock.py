"""Time, behind one seam so that tests and the local runtime can move it.

Every read of the current time, in handlers and domain code alike, goes through `now()` here (never
`datetime.now()`), so the local runtime and the tests can move time. In AWS the offset is always zero.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_offset = timedelta(0)


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return datetime.now(UTC) + _offset


def local_today(time_zone: str, at: datetime | None = None) -> date:
    """The calendar day it is at the property (its IANA time zone) at `at` (default: now)."""
    return (at or now()).astimezone(ZoneInfo(time_zone)).date()


def travel(seconds: float) -> datetime:
    """Move this process's clock forward (local runtime and tests only). Returns the new now."""
    global _offset
    _offset += timedelta(seconds=seconds)
    return now()


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def iso(at: datetime) -> str:
    """Canonical sortable UTC timestamp used in keys and API output: 2026-11-23T10:00:00Z."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
