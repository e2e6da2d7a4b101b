"""Issue 12, item 3: the guessing guard's limit holds under concurrency, and the booking engine's authenticated
calls have their own budget."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from revenir.core.errors import TooManyRequests
from revenir.guard.policy import GuardPolicy
from revenir.guard.store import Counters
from tests.integration.test_promo_codes_api import basket, create


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def test_finding_3a_limit_holds_when_every_miss_read_the_counter_before_any_was_counted(aws: Any) -> None:
    import boto3

    from local.template import load

    table = next(iter(load().tables))
    client = boto3.client("dynamodb")
    counters = Counters("demo", "203.0.113.9", GuardPolicy(), datetime(2026, 12, 1, 12, tzinfo=UTC))
    # 60 concurrent misses all saw 0 failures in their read: each now records its miss
    outcomes: list[str] = []

    def miss() -> None:
        try:
            counters.record_miss(client, table)
            outcomes.append("unknown")
        except TooManyRequests:
            outcomes.append("429")

    threads = [threading.Thread(target=miss) for _ in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("unknown") == 20
    assert outcomes.count("429") == 40


def test_finding_3a_concurrent_unknown_codes_over_the_api_get_at_most_the_limit_of_answers(
        api: Any, admin: dict[str, str]) -> None:
    create(api, admin)
    client = {"environ_base": {"REMOTE_ADDR": "203.0.113.10"}}
    statuses: list[int] = []

    def guess(n: int) -> None:
        statuses.append(api.post("/v1/properties/demo/codes/validate", json=basket(code=f"GUESS{n}"),
                                 **client).status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(200) <= 20 and statuses.count(429) >= 20


def test_finding_3b_anonymous_guessing_does_not_block_the_booking_engines_redemption(
        api: Any, admin: dict[str, str]) -> None:
    create(api, admin)
    same_address = {"environ_base": {"REMOTE_ADDR": "203.0.113.11"}}
    for n in range(21):
        api.post("/v1/properties/demo/codes/validate", json=basket(code=f"GUESS{n}"), **same_address)
    assert api.post("/v1/properties/demo/codes/validate", json=basket(), **same_address).status_code == 429
    redeemed = api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-9"},
                        headers=admin, **same_address)
    assert redeemed.status_code == 201, redeemed.json


def test_finding_4_anonymous_validation_does_not_reveal_who_stayed(api: Any, admin: dict[str, str]) -> None:
    create(api, admin, max_uses=None, first_stay_only=True, public=True)
    stayed = {"guest_email": "martin@example.com"}
    assert api.post("/v1/properties/demo/redemptions", json={**basket(**stayed), "booking_id": "B-1"},
                    headers=admin).status_code == 201
    past_guest = api.post("/v1/properties/demo/codes/validate", json=basket(**stayed))
    stranger = api.post("/v1/properties/demo/codes/validate", json=basket(guest_email="anna@example.com"))
    assert past_guest.status_code == stranger.status_code == 200
    assert past_guest.json == stranger.json
    assert stranger.json["valid"] is True and stranger.json["conditions"] == ["first_stay_only"]
    refused = api.post("/v1/properties/demo/redemptions", json={**basket(**stayed), "booking_id": "B-2"},
                       headers=admin)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "first_stay_only"


def test_finding_3c_the_gateway_uses_the_connections_address_not_x_forwarded_for(
        api: Any, admin: dict[str, str]) -> None:
    create(api, admin)
    one_client = {"environ_base": {"REMOTE_ADDR": "203.0.113.12"}}
    for n in range(20):  # a new X-Forwarded-For each time buys no new budget
        api.post("/v1/properties/demo/codes/validate", json=basket(code=f"GUESS{n}"),
                 headers={"X-Forwarded-For": f"198.51.100.{n}"}, **one_client)
    blocked = api.post("/v1/properties/demo/codes/validate", json=basket(),
                       headers={"X-Forwarded-For": "192.0.2.1"}, **one_client)
    assert blocked.status_code == 429
