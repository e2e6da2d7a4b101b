"""Keys of the monthly counters (docs/data-model.md, "Dashboard counters"). Private to revenir.stats."""

from __future__ import annotations

from revenir.table.partitions import property_pk

__all__ = ["STATS_PREFIX", "month_sk", "property_pk"]

STATS_PREFIX = "STATS#"


def month_sk(month: str) -> str:
    """One month of a property's counters (month = YYYY-MM, the property's local month of the event)."""
    return f"{STATS_PREFIX}{month}"
