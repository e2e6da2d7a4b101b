"""DynamoDB round trips per request on the hot paths, counted at the SDK (moto in-process, real handlers).

Counts do not depend on the machine: they are the figure that tells whether a change added a round trip.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from bench import demo_stack, offline_aws

GOALS = {
    "validate a promo code (widget)": 1,
    "redeem a promo code (booking engine)": 2,
    "redeem again, same booking_id (retry)": 1,
    "confirm a held redemption": 1,
    "release a redemption (cancellation)": 2,
}


def _environment() -> None:
    offline_aws()


def measure() -> dict[str, Counter[str]]:
    _environment()

    from local import emulator

    results: dict[str, Counter[str]] = {}
    with demo_stack() as stack:
        client, admin = stack.client, stack.admin
        today = date.today()
        client.post("/v1/admin/properties/demo/promo-codes", headers=admin, json={
            "name": "Bench", "code": "BENCH", "discount": {"type": "percent", "percent": 10}, "max_uses": 1000,
            "max_uses_per_guest": 5, "valid_from": str(today - timedelta(days=1)),
            "valid_until": str(today + timedelta(days=30))})
        basket: dict[str, Any] = {
            "code": "BENCH", "arrival": str(today + timedelta(days=10)), "departure": str(today + timedelta(days=12)),
            "guest_email": "guest@example.com",
            "lines": [{"offer_id": "chambre-jardin", "amount": 17000, "currency": "EUR"}]}

        def count(label: str, method: str, path: str, **kwargs: Any) -> None:
            emulator.CALLS.clear()
            response = client.open(path, method=method, **kwargs)
            assert response.status_code < 300, (label, response.get_data(as_text=True))
            results[label] = Counter({op.removeprefix("dynamodb."): n for op, n in emulator.CALLS.items()
                                      if op.startswith("dynamodb.")})

        count("validate a promo code (widget)", "POST", "/v1/properties/demo/codes/validate", json=basket)
        count("redeem a promo code (booking engine)", "POST", "/v1/properties/demo/redemptions", headers=admin,
              json={**basket, "booking_id": "B-1"})
        count("redeem again, same booking_id (retry)", "POST", "/v1/properties/demo/redemptions", headers=admin,
              json={**basket, "booking_id": "B-1"})
        client.post("/v1/properties/demo/redemptions", headers=admin,
                    json={**basket, "booking_id": "B-2", "hold": True})
        count("confirm a held redemption", "POST", "/v1/properties/demo/redemptions/B-2/confirm", headers=admin)
        count("release a redemption (cancellation)", "DELETE", "/v1/properties/demo/redemptions/B-1", headers=admin)
    return results


def run() -> None:
    results = measure()
    print("DynamoDB round trips per request (counted at the SDK, real handlers on moto)")
    width = max(len(label) for label in results)
    print(f"{'request':<{width}}  calls  goal  operations")
    for label, calls in results.items():
        total = sum(calls.values())
        goal = GOALS[label]
        flag = "" if total <= goal else "  GOAL MISSED"
        ops = ", ".join(f"{op} x{n}" for op, n in sorted(calls.items()))
        print(f"{label:<{width}}  {total:>5}  {goal:>4}  {ops}{flag}")
