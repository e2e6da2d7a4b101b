"""The dashboard's month arithmetic and counter items (revenir.stats)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from revenir.stats.store import add, month_bounds, month_of, months_ending


def test_the_month_is_the_propertys_local_month_and_utc_without_a_time_zone() -> None:
    late = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # already February 1st in Brussels
    assert month_of("Europe/Brussels", late) == "2026-02"
    assert month_of(None, late) == "2026-01"


def test_twelve_months_end_with_the_month_across_a_new_year() -> None:
    months = months_ending("2026-02")
    assert len(months) == 12 and months[0] == "2025-03" and months[-3:] == ["2025-12", "2026-01", "2026-02"]
    assert month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_bounds("2025-12") == (date(2025, 12, 1), date(2025, 12, 31))


def test_a_counter_item_adds_its_counters_to_the_month_and_refuses_odd_names() -> None:
    update = add("T", "demo", "2026-07", {"code_uses": 1, "discount_EUR": 5000, "emails_sent": 0})["Update"]
    assert update["Key"] == {"pk": {"S": "PROPERTY#demo"}, "sk": {"S": "STATS#2026-07"}}
    assert update["UpdateExpression"].startswith("ADD #c0 :c0, #c1 :c1 SET")
    assert set(update["ExpressionAttributeNames"].values()) == {"code_uses", "discount_EUR", "month"}
    with pytest.raises(ValueError):
        add("T", "demo", "2026-07", {"uses = uses": 1})
