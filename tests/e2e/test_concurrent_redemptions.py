"""Limits hold under load: 50 guests redeem a 10-use code at once over HTTP; exactly 10 succeed."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Runtime

ROUNDS = 5
GUESTS = 50


def stay() -> dict[str, Any]:
    arrival = date.today() + timedelta(days=30)
    return {"arrival": str(arrival), "departure": str(arrival + timedelta(days=2)),
            "lines": [{"offer_id": "chambre-meuse", "amount": 18000, "currency": "EUR"}]}


def create_code(runtime: Runtime, code: str, **limits: Any) -> str:
    body = {"name": f"Charge {code}", "code": code, "discount": {"type": "percent", "percent": 10},
            "valid_from": str(date.today() - timedelta(days=2)), "valid_until": str(date.today() + timedelta(days=90)),
            **limits}
    status, created = runtime.call("POST", "/v1/admin/properties/demo/promo-codes", body, token=runtime.token)
    assert status == 201, created
    return str(created["id"])


def storm(runtime: Runtime, code: str, email: Any) -> Counter[Any]:
    def redeem(n: int) -> Any:
        body = {**stay(), "code": code, "booking_id": f"{code}-{n}", "guest_email": email(n)}
        status, answer = runtime.call("POST", "/v1/properties/demo/redemptions", body, token=runtime.token)
        return status if status != 409 else answer["error"]["code"]
    with ThreadPoolExecutor(max_workers=GUESTS) as pool:
        return Counter(pool.map(redeem, range(GUESTS)))


@pytest.mark.e2e
def test_a_10_use_code_is_used_exactly_10_times_under_50_concurrent_redemptions(runtime: Runtime) -> None:
    for round_ in range(ROUNDS):
        code = f"RUSH{round_}"
        promo_id = create_code(runtime, code, max_uses=10)
        outcome = storm(runtime, code, lambda n: f"guest{n}@example.com")
        assert outcome == Counter({201: 10, "exhausted": 40}), outcome
        _, promo = runtime.call("GET", f"/v1/admin/properties/demo/promo-codes/{promo_id}", token=runtime.token)
        assert promo["uses"] == 10


@pytest.mark.e2e
def test_a_per_guest_limit_holds_under_concurrency(runtime: Runtime) -> None:
    for round_ in range(ROUNDS):
        code = f"FIDELE{round_}"
        create_code(runtime, code, max_uses_per_guest=2)
        outcome = storm(runtime, code, lambda n: "same.guest@example.com")
        assert outcome == Counter({201: 2, "guest_limit_reached": 48}), outcome
