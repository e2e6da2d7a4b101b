"""Discount arithmetic: half-up per line, largest remainder, sums always exact."""

from __future__ import annotations

import random

import pytest

from revenir.core import pricing
from revenir.core.errors import InvalidInput
from revenir.core.pricing import Line


def lines(*amounts: int, currency: str = "EUR") -> list[Line]:
    return [Line(f"o{i}", a, currency) for i, a in enumerate(amounts)]


def test_percent_rounds_half_up_on_each_line() -> None:
    priced = pricing.apply_percent(lines(1005, 15, 999), [True, True, True], 10)
    assert [p.discount for p in priced] == [101, 2, 100]  # 100.5 -> 101, 1.5 -> 2, 99.9 -> 100


def test_percent_with_decimals_and_a_cap_spread_exactly() -> None:
    priced = pricing.apply_percent(lines(10000, 5000), [True, True], 12.5, cap=1000)
    assert sum(p.discount for p in priced) == 1000
    assert [p.discount for p in priced] == [667, 333]


def test_fixed_amount_never_exceeds_the_applicable_subtotal() -> None:
    priced = pricing.apply_amount(lines(3000, 1200), [False, True], 5000)
    assert [p.discount for p in priced] == [0, 1200]
    assert [p.total for p in priced] == [3000, 0]


def test_fixed_amount_is_spread_by_largest_remainder() -> None:
    priced = pricing.apply_amount(lines(100, 100, 100), [True, True, True], 100)
    assert [p.discount for p in priced] == [34, 33, 33]


def test_spread_always_sums_to_the_total() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        weights = [rng.randint(0, 50_000) for _ in range(rng.randint(1, 8))]
        total = rng.randint(0, sum(weights))
        parts = pricing.spread(total, weights)
        assert sum(parts) == total if sum(weights) else parts == [0] * len(weights)
        assert all(0 <= p <= w for p, w in zip(parts, weights, strict=True))


def test_currencies_never_mix() -> None:
    with pytest.raises(InvalidInput) as error:
        pricing.basket_currency([Line("a", 1, "EUR"), Line("b", 1, "USD")])
    assert error.value.code == "mixed_currencies"
