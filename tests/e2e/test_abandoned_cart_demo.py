"""The demo's abandoned cart over HTTP: start a checkout from the demo page's endpoint, leave, advance the local
clock: the reminder with its code reaches the outbox, and the code works in the widget's validation."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest

from tests.e2e.conftest import Runtime


@pytest.mark.e2e
def test_leave_a_checkout_and_get_a_working_recovery_code(runtime: Runtime) -> None:
    _, now = runtime.call("GET", "/_local/clock")
    arrival = date.fromisoformat(now["now"][:10]) + timedelta(days=40)
    stay = {"arrival": str(arrival), "departure": str(arrival + timedelta(days=2)),
            "lines": [{"offer_id": "chambre-jardin", "amount": 17000, "currency": "EUR"}]}
    status, cart = runtime.call("POST", "/_local/demo/checkout",
                                {"first_name": "Léa", "email": "lea.martin@example.com", **stay})
    assert status == 201, cart
    time.sleep(1)  # the execution enters its Wait state
    runtime.call("POST", "/_local/clock/advance?seconds=3700")
    deadline, reminder = time.monotonic() + 20, None
    while reminder is None and time.monotonic() < deadline:
        _, mails = runtime.call("GET", "/_local/outbox.json")
        reminder = next((m for m in mails if "lea.martin@example.com" in (m.get("to") or [])), None)
        time.sleep(0.2)
    assert reminder is not None, "no reminder in the outbox"
    assert "Votre réservation" in reminder["subject"] and cart["cart_id"] in reminder["text"]
    code = re.search(r"RETOUR-[A-Z0-9]{8}", reminder["text"])
    assert code is not None
    status, validated = runtime.call("POST", "/v1/properties/demo/codes/validate", {"code": code.group(0), **stay})
    assert status == 200 and validated["valid"] is True and validated["discount"]["amount"] == 1700
