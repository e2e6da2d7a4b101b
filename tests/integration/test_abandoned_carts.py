"""The abandoned-cart flow end to end: the API starts a real execution of statemachines/abandoned_cart.asl.json
in moto's Step Functions engine; its Lambda tasks run our step handler in-process; waits follow the clock."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import boto3
import pytest

from revenir.core import clock

MACHINE = "arn:aws:states:eu-west-3:123456789012:stateMachine:revenir-local-AbandonedCartStateMachine"


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def enable(api: Any, admin: dict[str, str], template_id: str) -> None:
    template = api.get(f"/v1/admin/properties/demo/mail-templates/{template_id}", headers=admin).json
    body = {k: template[k] for k in ("name", "kind", "trigger", "category", "versions")} | {"enabled": True}
    assert api.put(f"/v1/admin/properties/demo/mail-templates/{template_id}", json=body,
                   headers=admin).status_code == 200


def cart(cart_id: str = "C-1", **overrides: Any) -> dict[str, Any]:
    arrival = clock.local_today("Europe/Brussels") + timedelta(days=30)
    return {"cart_id": cart_id, "email": "martin@example.com", "first_name": "Martin", "last_name": "Dupont",
            "language": "fr", "arrival": str(arrival), "departure": str(arrival + timedelta(days=2)),
            "lines": [{"offer_id": "chambre-meuse", "amount": 18000, "currency": "EUR"}], "total": 18000,
            "currency": "EUR", "recovery_url": f"https://moulin.example/panier/{cart_id}", **overrides}


def execution_arn(cart_id: str) -> str:
    from revenir.carts.models import execution_name

    return MACHINE.replace(":stateMachine:", ":execution:") + ":" + execution_name("demo", cart_id)


def waiting(cart_id: str, waits: int = 1, timeout: float = 30.0) -> None:
    """Until the execution has entered its n-th Wait state (its deadline is then set on the local clock)."""
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = sfn.get_execution_history(executionArn=execution_arn(cart_id))["events"]
        if sum(e["type"] == "WaitStateEntered" for e in events) >= waits:
            return
        time.sleep(0.02)
    raise AssertionError("the execution never reached its wait")


def finish(cart_id: str, advance: float = 3601, timeout: float = 180.0, waits: int = 1) -> dict[str, Any]:
    """Let the execution's wait pass (the local clock) and wait for it to end; returns describe_execution."""
    if advance:
        waiting(cart_id, waits)
        clock.travel(advance)
    sfn = boto3.client("stepfunctions")
    arn = execution_arn(cart_id)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution = sfn.describe_execution(executionArn=arn)
        if execution["status"] != "RUNNING":
            return dict(execution)
        time.sleep(0.05)
    raise AssertionError(f"execution {arn} still running")


def last_state(execution_arn: str) -> str:
    sfn = boto3.client("stepfunctions")
    events = sfn.get_execution_history(executionArn=execution_arn)["events"]
    for event in sorted(events, key=lambda e: e["id"], reverse=True):
        details = event.get("stateEnteredEventDetails")
        if details:
            return str(details["name"])
    raise AssertionError("no state entered")


def test_an_abandoned_cart_gets_a_reminder_with_a_working_single_use_code(api: Any, admin: dict[str, str]) -> None:
    from local import outbox

    enable(api, admin, "abandoned_payment")
    started = api.post("/v1/properties/demo/carts", json=cart(), headers=admin)
    assert started.status_code == 201, started.json
    assert api.post("/v1/properties/demo/carts", json=cart(), headers=admin).status_code == 200  # once per cart
    assert outbox.messages() == []  # nothing before the delay
    execution = finish("C-1")
    assert execution["status"] == "SUCCEEDED" and last_state(execution["executionArn"]) == "Reminded"
    mails = outbox.messages()
    assert len(mails) == 1 and mails[0]["to"] == ["martin@example.com"]
    assert mails[0]["subject"].startswith("Votre réservation vous attend — Le Moulin")  # nothing glued to the name
    code = next(w for w in mails[0]["text"].split() if w.startswith("RETOUR-"))
    assert "https://moulin.example/panier/C-1" in mails[0]["text"]
    # The recovery link carries the code: the booking engine's page restores the basket, the widget applies it
    assert f"https://moulin.example/panier/C-1?revenir_code={code}" in mails[0]["text"]
    # The code works in the widget, once, for this guest
    basket = {"code": code, "arrival": cart()["arrival"], "departure": cart()["departure"], "lines": cart()["lines"]}
    validated = api.post("/v1/properties/demo/codes/validate", json=basket).json
    assert validated["valid"] is True and validated["discount"]["amount"] == 1800
    redeemed = api.post("/v1/properties/demo/redemptions", headers=admin,
                        json={**basket, "booking_id": "B-1", "guest_email": "martin@example.com"})
    assert redeemed.status_code == 201
    assert api.post("/v1/properties/demo/codes/validate", json=basket).json["reason"] == "exhausted"
    # Paid after the reminder: recovered, with its revenue
    assert api.put("/v1/properties/demo/carts/C-1", json={"status": "paid", "booking_id": "B-1"},
                   headers=admin).json["recovered"] is True
    stats = api.get("/v1/admin/properties/demo/carts/stats", headers=admin).json
    assert (stats["started"], stats["reminded"], stats["recovered"]) == (1, 1, 1)
    assert stats["recovered_revenue"] == {"EUR": 18000} and stats["recovery_rate"] == 1.0


def test_paid_is_final_and_a_failed_send_is_retried(api: Any, admin: dict[str, str], monkeypatch: Any) -> None:
    from local import outbox
    from revenir.mail.sender import SendError, SesMailer

    enable(api, admin, "abandoned_payment")
    api.post("/v1/properties/demo/carts", json=cart("C-9"), headers=admin)
    api.put("/v1/properties/demo/carts/C-9", json={"status": "paid"}, headers=admin)
    late = api.put("/v1/properties/demo/carts/C-9", json={"status": "abandoned"}, headers=admin)
    assert late.status_code == 409 and late.json["error"]["code"] == "cart_already_paid"
    real_send, calls = SesMailer.send, {"n": 0}

    def flaky(self: Any, sender: str, recipient: str, raw: bytes, tags: Any = None) -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            raise SendError("Maximum sending rate exceeded", code="Throttling", transient=True)
        return real_send(self, sender, recipient, raw)

    monkeypatch.setattr(SesMailer, "send", flaky)
    api.post("/v1/properties/demo/carts", json=cart("C-1"), headers=admin)
    execution = finish("C-1")
    assert execution["status"] == "SUCCEEDED" and calls["n"] == 2 and len(outbox.messages()) == 1


def test_a_cart_paid_meanwhile_gets_nothing(api: Any, admin: dict[str, str]) -> None:
    from local import outbox

    enable(api, admin, "abandoned_payment")
    api.post("/v1/properties/demo/carts", json=cart(), headers=admin)
    assert api.put("/v1/properties/demo/carts/C-1", json={"status": "paid"}, headers=admin).json["recovered"] is False
    execution = finish("C-1")
    assert last_state(execution["executionArn"]) == "PaidMeanwhile" and outbox.messages() == []


def test_a_failed_payment_gets_the_payment_error_reminder_without_a_code(api: Any, admin: dict[str, str]) -> None:
    from local import outbox

    enable(api, admin, "payment_failed")
    api.post("/v1/properties/demo/carts", json=cart(language="en"), headers=admin)
    api.put("/v1/properties/demo/carts/C-1", json={"status": "payment_failed"}, headers=admin)
    execution = finish("C-1")
    assert last_state(execution["executionArn"]) == "Reminded"
    mail = outbox.messages()[0]
    assert mail["subject"].startswith("Your payment did not go through") and "RETOUR-" not in mail["text"]


def test_reminders_are_off_until_the_host_enables_them(api: Any, admin: dict[str, str]) -> None:
    from local import outbox

    api.post("/v1/properties/demo/carts", json=cart(), headers=admin)
    execution = finish("C-1")
    assert last_state(execution["executionArn"]) == "RemindersDisabled" and outbox.messages() == []


def test_an_unsubscribed_guest_gets_nothing(api: Any, admin: dict[str, str]) -> None:
    from local import outbox

    enable(api, admin, "abandoned_payment")
    assert api.post("/v1/admin/properties/demo/guests/martin@example.com/unsubscribe",
                    headers=admin).status_code == 204
    api.post("/v1/properties/demo/carts", json=cart(), headers=admin)
    execution = finish("C-1")
    assert last_state(execution["executionArn"]) == "GuestNotReachable" and outbox.messages() == []


def test_the_second_reminder_follows_unless_paid(api: Any, admin: dict[str, str]) -> None:
    from local import outbox

    enable(api, admin, "abandoned_payment")
    assert api.put("/v1/admin/properties/demo/cart-settings", headers=admin, json={
        "delay_minutes": 30, "second_reminder_hours": 24, "discount_percent": 15,
        "code_validity_hours": 72}).status_code == 200
    api.post("/v1/properties/demo/carts", json=cart("C-1"), headers=admin)
    api.post("/v1/properties/demo/carts", json=cart("C-2", email="anna@example.com"), headers=admin)
    waiting("C-1")
    waiting("C-2")
    clock.travel(31 * 60)
    waiting("C-1", waits=2)
    waiting("C-2", waits=2)
    assert len(outbox.messages()) == 2
    api.put("/v1/properties/demo/carts/C-2", json={"status": "paid"}, headers=admin)
    clock.travel(24 * 3600 + 1)
    first = finish("C-1", advance=0)
    second = finish("C-2", advance=0)
    assert first["status"] == second["status"] == "SUCCEEDED"
    recipients = sorted(m["to"][0] for m in outbox.messages())
    assert recipients == ["anna@example.com", "martin@example.com", "martin@example.com"]
    assert "15\u00a0%" in outbox.messages()[0]["text"]  # French typography: a no-break space


def test_a_failing_step_is_retried_then_caught(api: Any, admin: dict[str, str], monkeypatch: Any) -> None:
    from revenir.carts.reminders import CartReminders

    calls = {"n": 0}

    class ClientError(Exception):  # named like botocore's: the state machine retries it
        pass

    def broken(self: Any, property_id: str, cart_id: str) -> dict[str, Any]:
        calls["n"] += 1
        raise ClientError("DynamoDB is down")

    monkeypatch.setattr(CartReminders, "load", broken)
    api.post("/v1/properties/demo/carts", json=cart(), headers=admin)
    execution = finish("C-1", timeout=30)
    assert execution["status"] == "FAILED" and calls["n"] == 4  # the first try and 3 retries


def test_gdpr_export_and_erasure_cover_carts(api: Any, admin: dict[str, str]) -> None:
    api.post("/v1/properties/demo/carts", json=cart(), headers=admin)
    exported = api.get("/v1/admin/properties/demo/guests/martin@example.com/export", headers=admin).json
    assert [c["cart_id"] for c in exported["carts"]] == ["C-1"]
    assert api.post("/v1/admin/properties/demo/guests/martin@example.com/erasure", headers=admin).status_code == 200
    assert api.get("/v1/admin/properties/demo/guests/martin@example.com/export", headers=admin).json["carts"] == []
    stats = api.get("/v1/admin/properties/demo/carts/stats", headers=admin).json
    assert stats["started"] == 1  # the figures stay
