"""Discount arithmetic on a basket: integer minor units, half-up rounding, largest-remainder spreading.

Rules (docs/promo-codes.md):
- a discount applies only to applicable lines;
- a percent rounds half-up to the minor unit on each line;
- a fixed amount never exceeds the applicable subtotal and is spread over the applicable lines in
  proportion to their amounts by largest remainder, so line discounts always sum to the discount;
- currencies never mix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from revenir.core.errors import InvalidInput


@dataclass(frozen=True)
class Line:
    offer_id: str
    amount: int
    currency: str


@dataclass(frozen=True)
class PricedLine:
    offer_id: str
    amount: int
    currency: str
    discount: int

    @property
    def total(self) -> int:
        return self.amount - self.discount


def basket_currency(lines: Sequence[Line]) -> str:
    currencies = {line.currency for line in lines}
    if len(currencies) != 1:
        raise InvalidInput("every line of a basket must be in the same currency", code="mixed_currencies",
                           details=[{"field": "body.lines", "currencies": sorted(currencies)}])
    return currencies.pop()


def percent_to_basis_points(percent: float) -> int:
    """12.5 % -> 1250 bp; percents carry at most two decimals."""
    return round(percent * 100)


def percent_of(amount: int, basis_points: int) -> int:
    """amount × bp / 10 000, rounded half-up (amounts are never negative)."""
    return (amount * basis_points + 5_000) // 10_000


def spread(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` over `weights` proportionally, by largest remainder; the parts sum to `total`.

    Ties go to the earlier line, so the result is deterministic.
    """
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left = total - sum(floors)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        floors[index] += 1
    return floors


def apply_percent(lines: Sequence[Line], applicable: Sequence[bool], percent: float,
                  cap: int | None = None) -> list[PricedLine]:
    bp = percent_to_basis_points(percent)
    discounts = [percent_of(line.amount, bp) if ok else 0 for line, ok in zip(lines, applicable, strict=True)]
    if cap is not None and sum(discounts) > cap:
        discounts = spread(cap, discounts)
    return [PricedLine(line.offer_id, line.amount, line.currency, d) for line, d in zip(lines, discounts, strict=True)]


def apply_amount(lines: Sequence[Line], applicable: Sequence[bool], amount: int) -> list[PricedLine]:
    weights = [line.amount if ok else 0 for line, ok in zip(lines, applicable, strict=True)]
    discounts = spread(min(amount, sum(weights)), weights)
    return [PricedLine(line.offer_id, line.amount, line.currency, d) for line, d in zip(lines, discounts, strict=True)]
