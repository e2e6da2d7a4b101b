"""Webhooks through the local runtime (`python -m local`, moto enforcing each function's template grants): a
code redeemed over HTTP reaches a local receiver, signed, after the stream, the bus, the rule and the queue;
a receiver failing once is retried; the other property's endpoint hears nothing."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook

from tests.e2e.conftest import Runtime
from tests.integration.test_webhooks import Receiver


@pytest.mark.e2e
def test_a_code_redeemed_over_http_is_delivered_signed_and_retried(runtime: Runtime) -> None:
    from local import tokens

    receiver = Receiver()
    try:
        receiver.fail["/flaky"] = 1
        endpoints = {}
        for path in ("/e2e", "/flaky"):
            status, created = runtime.call("POST", "/v1/admin/properties/demo/webhooks", {
                "url": receiver.url(path), "event_types": ["code.redeemed"]}, token=runtime.token)
            assert status == 201, created
            endpoints[path] = created
        other = tokens.mint(["elsewhere"])
        status, _ = runtime.call("POST", "/v1/admin/properties/elsewhere/webhooks", {
            "url": receiver.url("/elsewhere"), "event_types": ["code.redeemed"]}, token=other)
        assert status == 201
        body = {"name": "Webhook e2e", "code": "HOOKE2E", "discount": {"type": "percent", "percent": 10},
                "valid_from": str(date.today() - timedelta(days=1)),
                "valid_until": str(date.today() + timedelta(days=30))}
        status, promo = runtime.call("POST", "/v1/admin/properties/demo/promo-codes", body, token=runtime.token)
        assert status == 201, promo
        arrival = date.today() + timedelta(days=10)
        status, answer = runtime.call("POST", "/v1/properties/demo/redemptions", {
            "code": "HOOKE2E", "booking_id": "HOOK-1", "arrival": str(arrival),
            "departure": str(arrival + timedelta(days=2)),
            "lines": [{"offer_id": "chambre-meuse", "amount": 18000, "currency": "EUR"}]}, token=runtime.token)
        assert status == 201, answer

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (len(receiver.at("/e2e")) < 1 or len(receiver.at("/flaky")) < 2):
            runtime.call("POST", "/_local/event-sources/drain")
            time.sleep(0.3)
        [(headers, raw)] = receiver.at("/e2e")
        event: Any = Webhook(endpoints["/e2e"]["secret"]).verify(raw, headers)
        assert (event["type"], event["property_id"], event["data"]["booking_id"]) == ("code.redeemed", "demo",
                                                                                      "HOOK-1")
        assert event["data"]["discount"] == {"amount": 1800, "currency": "EUR"}
        flaky = receiver.at("/flaky")
        assert len(flaky) == 2 and Webhook(endpoints["/flaky"]["secret"]).verify(flaky[1][1], flaky[1][0])
        status, log = runtime.call(
            "GET", f"/v1/admin/properties/demo/webhooks/{endpoints['/flaky']['id']}/deliveries", token=runtime.token)
        assert status == 200
        [delivery] = log["deliveries"]
        assert (delivery["status"], delivery["attempts"], [a["status_code"] for a in delivery["log"]]) == (
            "delivered", 2, [500, 204])
        assert receiver.at("/elsewhere") == []
    finally:
        receiver.server.shutdown()
