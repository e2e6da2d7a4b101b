"""The orchestration moved out of the handlers, on fakes of its ports (no AWS): carts' figures and flow start,
Stripe events routed to the right order work."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from revenir.carts.service import CartService, StepFunctionsFlow
from revenir.vouchers.orders import GiftOrderService


class FakeCarts:
    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = rows
        self.asked: tuple[str, str] | None = None

    def stats(self, property_id: str, day_from: str, day_to: str) -> list[dict[str, Any]]:
        self.asked = (day_from, day_to)
        return self.rows


class FakeProperties:
    def get(self, property_id: str) -> Any:
        return SimpleNamespace(time_zone="Europe/Brussels")


def test_cart_figures_add_up_per_currency_over_the_period() -> None:
    carts = FakeCarts([{"started": 4, "reminded": 3, "recovered": 1, "revenue_EUR": 18000},
                       {"started": 2, "reminded": 1, "recovered": 1, "revenue_EUR": 2000, "revenue_CHF": 500}])
    service = CartService(carts, FakeProperties())  # type: ignore[arg-type]
    stats = service.stats("demo", date(2026, 6, 1), date(2026, 6, 30))
    assert carts.asked == ("2026-06-01", "2026-06-30")
    assert (stats.started, stats.reminded, stats.recovered) == (6, 4, 2)
    assert stats.recovered_revenue == {"EUR": 20000, "CHF": 500} and stats.recovery_rate == 0.5


def test_cart_figures_default_to_the_last_30_days_and_a_zero_rate_without_reminders() -> None:
    carts = FakeCarts([{"started": 1}])
    stats = CartService(carts, FakeProperties()).stats("demo", None, date(2026, 6, 30))  # type: ignore[arg-type]
    assert carts.asked == ("2026-06-01", "2026-06-30") and stats.recovery_rate == 0.0


class ExecutionAlreadyExists(Exception):
    pass


class FakeStepFunctions:
    def __init__(self, error: Exception | None = None):
        self.error = error
        self.started: list[dict[str, Any]] = []

    def start_execution(self, **kwargs: Any) -> None:
        self.started.append(kwargs)
        if self.error:
            raise self.error


def test_a_repeated_flow_start_changes_nothing_but_other_errors_surface() -> None:
    client = FakeStepFunctions()
    StepFunctionsFlow(client, "arn:aws:states:eu-west-3:1:stateMachine:carts").start("demo-c1", {"cart_id": "c1"})
    assert client.started == [{"stateMachineArn": "arn:aws:states:eu-west-3:1:stateMachine:carts",
                               "name": "demo-c1", "input": '{"cart_id": "c1"}'}]
    StepFunctionsFlow(FakeStepFunctions(ExecutionAlreadyExists("dup")), "arn").start("demo-c1", {})
    with pytest.raises(RuntimeError):
        StepFunctionsFlow(FakeStepFunctions(RuntimeError("throttled")), "arn").start("demo-c1", {})


class FakeVouchers:
    def __init__(self) -> None:
        self.failed: list[tuple[str, str, str]] = []

    def order_of_payment_intent(self, intent: str) -> tuple[str, str] | None:
        return ("demo", "go_1") if intent == "pi_ours" else None

    def mark_order_failed(self, property_id: str, order_id: str, reason: str, now: Any) -> None:
        self.failed.append((property_id, order_id, reason))

    def get_order(self, property_id: str, order_id: str) -> dict[str, Any]:
        return {"order_id": order_id, "status": "pending"}  # charged on the platform account (no stripe_account)

    def void_order_for_refund(self, property_id: str, order_id: str, amount: int, full: bool, now: Any) -> list[str]:
        return ["A", "B"] if full else ["A"]


def event(kind: str, **obj: Any) -> dict[str, Any]:
    return {"id": "evt_1", "type": kind, "data": {"object": obj}}


def never(*_: Any) -> Any:
    raise AssertionError("must not be called")


def test_stripe_events_reach_only_our_orders_and_do_the_right_work() -> None:
    vouchers = FakeVouchers()
    orders = GiftOrderService(vouchers, FakeProperties())  # type: ignore[arg-type]
    foreign = orders.handle_event(event("payment_intent.succeeded", id="pi_theirs", object="payment_intent"),
                                  never, never)
    assert foreign.result == {"received": True, "handled": False}

    failed = orders.handle_event(event("payment_intent.payment_failed", id="pi_ours", object="payment_intent",
                                       last_payment_error={"code": "card_declined"}), never, never)
    assert failed.failed and vouchers.failed == [("demo", "go_1", "card_declined")]

    refunded = orders.handle_event(event("charge.refunded", object="charge", payment_intent="pi_ours",
                                         amount_refunded=5000, refunded=True), never, never)
    assert refunded.voided == 2 and refunded.result["voided"] == 2

    issued = orders.handle_event(
        event("payment_intent.succeeded", id="pi_x", object="payment_intent", amount=9000, currency="eur",
              metadata={"property_id": "demo", "order_id": "go_2"}),
        lambda payload: {"codes": ["C1", "C2"]} if payload["amount"] == 9000 else never(),
        lambda property_id, order_id: 1 if (property_id, order_id) == ("demo", "go_2") else never())
    assert issued.result == {"received": True, "handled": True, "type": "payment_intent.succeeded",
                             "order_id": "go_2", "vouchers": 2, "mails_sent": 1}

    other = orders.handle_event(event("customer.created", id="pi_ours", object="payment_intent"), never, never)
    assert other.result["handled"] is False

    # a connected account's event about an order charged on the platform account: not applied (issue 17)
    elsewhere = orders.handle_event(event("payment_intent.payment_failed", id="pi_ours", object="payment_intent"),
                                    never, never, account="acct_someone")
    assert elsewhere.result == {"received": True, "handled": False, "reason": "account_mismatch"}
    assert len(vouchers.failed) == 1


def test_a_dependency_is_built_once_even_when_first_needed_by_concurrent_requests() -> None:
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from revenir.core.wiring import dependency

    builds: list[int] = []
    gate = threading.Barrier(20)

    @dependency
    def service() -> object:
        builds.append(1)
        time.sleep(0.05)  # a slow build: the other requests arrive meanwhile
        return object()

    def first_request(_: int) -> object:
        gate.wait()
        return service()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(first_request, range(20)))
    assert len(builds) == 1 and all(r is results[0] for r in results)
    service.cache_clear()
    assert service() is not results[0] and len(builds) == 2
