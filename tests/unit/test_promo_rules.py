"""Every reason a code can be refused, decided by the pure rules (no I/O)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from revenir.codes.models import PromoCode, ValidateRequest, choose, evaluate, normalize_code

TODAY = date(2026, 7, 1)


def promo(**overrides: Any) -> PromoCode:
    base: dict[str, Any] = {
        "id": "pc_1", "property_id": "p", "uses": 0, "created_at": "x", "updated_at": "x",
        "name": "Été", "code": "ETE", "discount": {"type": "percent", "percent": 10},
        "valid_from": "2026-06-01", "valid_until": "2026-08-31"}
    return PromoCode.model_validate({**base, **overrides})


def request(**overrides: Any) -> ValidateRequest:
    base: dict[str, Any] = {"code": "ete", "arrival": "2026-07-10", "departure": "2026-07-13",
                            "lines": [{"offer_id": "gite", "amount": 30000, "currency": "EUR"},
                                      {"offer_id": "breakfast", "amount": 3600, "currency": "EUR"}]}
    return ValidateRequest.model_validate({**base, **overrides})


def reason(p: PromoCode, r: ValidateRequest | None = None, today: date = TODAY, **kw: Any) -> str | None:
    return evaluate([p], r or request(), today, **kw).reason


def test_a_valid_code_prices_every_applicable_line() -> None:
    result = evaluate([promo()], request(), TODAY)
    assert result.valid and result.discount == 3360
    assert result.response().model_dump()["lines"][1] == {
        "offer_id": "breakfast", "amount": 3600, "currency": "EUR", "discount": 360, "total": 3240}


def test_codes_are_trimmed_and_case_insensitive() -> None:
    assert normalize_code("  merci2024 ") == "MERCI2024"


@pytest.mark.parametrize(("overrides", "req", "today", "kw", "expected"), [
    ({"archived": True}, {}, TODAY, {}, "unknown"),
    ({}, {}, date(2026, 5, 31), {}, "not_yet_valid"),
    ({}, {}, date(2026, 9, 1), {}, "expired"),
    ({"max_uses": 10, "uses": 10}, {}, TODAY, {}, "exhausted"),
    ({"max_uses_per_guest": 1}, {"guest_email": "a@b.fr"}, TODAY, {"guest_uses": 1}, "guest_limit_reached"),
    ({"offer_ids": ["moulin"]}, {}, TODAY, {}, "not_applicable"),
    ({"stay_from": "2026-08-01"}, {}, TODAY, {}, "not_applicable"),
    ({"discount": {"type": "amount", "amount": 500, "currency": "USD"}}, {}, TODAY, {}, "not_applicable"),
    ({"min_nights": 4}, {}, TODAY, {}, "min_nights"),
    ({"max_nights": 2}, {}, TODAY, {}, "max_nights"),
    ({"arrival_weekdays": [6, 7]}, {}, TODAY, {}, "arrival_day"),  # 2026-07-10 is a Friday
    ({"min_amount": 40000}, {}, TODAY, {}, "min_amount"),
    ({"first_stay_only": True}, {"guest_email": "a@b.fr"}, TODAY, {"guest_has_stayed": True}, "first_stay_only"),
])
def test_every_refusal_reason(overrides: dict[str, Any], req: dict[str, Any], today: date, kw: dict[str, Any],
                              expected: str) -> None:
    assert reason(promo(**overrides), request(**req), today, **kw) == expected


def test_validity_includes_the_last_local_day() -> None:
    assert reason(promo(), today=date(2026, 8, 31)) is None


def test_choose_picks_the_period_in_force_among_reused_strings() -> None:
    old = promo(id="pc_old", valid_from="2025-06-01", valid_until="2025-08-31")
    new = promo(id="pc_new")
    chosen, why = choose([old, new], TODAY)
    assert chosen is not None and chosen.id == "pc_new" and why is None


def test_min_amount_counts_only_applicable_lines() -> None:
    assert reason(promo(offer_ids=["breakfast"], min_amount=4000)) == "min_amount"
    assert reason(promo(offer_ids=["gite"], min_amount=4000)) is None
