"""Abandoned carts' use cases for the API: a checkout starts the reminders' state machine (once per cart), its
outcome is recorded and counted, the host reads the figures and sets the reminders. The handler parses, calls
one method and shapes the response; Step Functions is reached through the `Flow` port."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from revenir.carts.models import Cart, CartInput, CartSettings, CartStats, CartStatusInput, execution_name
from revenir.carts.store import CartRepository
from revenir.core import clock
from revenir.properties.store import PropertyRepository


class Flow(Protocol):
    def start(self, name: str, execution_input: dict[str, Any]) -> None: ...


class StepFunctionsFlow:
    """The abandoned-cart state machine (an injected Step Functions client): an execution named after the
    cart, so a repeated start (a retry, a duplicate) changes nothing."""

    def __init__(self, client: Any, state_machine_arn: str):
        self._client = client
        self._arn = state_machine_arn

    def start(self, name: str, execution_input: dict[str, Any]) -> None:
        try:
            self._client.start_execution(stateMachineArn=self._arn, name=name, input=json.dumps(execution_input))
        except Exception as exc:
            if "ExecutionAlreadyExists" not in type(exc).__name__ and "ExecutionAlreadyExists" not in str(exc):
                raise


@dataclass(frozen=True)
class CartService:
    carts: CartRepository
    properties: PropertyRepository

    def _today(self, property_id: str) -> date:
        return clock.local_today(self.properties.get(property_id).time_zone)

    def start(self, property_id: str, body: CartInput, flow: Flow) -> tuple[Cart, bool]:
        """(cart, created): the cart is stored, the flow started with the host's delays, and a new cart counted
        on the property's day."""
        today = self._today(property_id)
        now = clock.iso(clock.now())
        name = execution_name(property_id, body.cart_id)
        cart, created = self.carts.create(Cart(property_id=property_id, started_at=now, updated_at=now,
                                               execution_name=name, **body.model_dump()))
        settings = self.carts.settings(property_id)
        flow.start(name, {"property_id": property_id, "cart_id": body.cart_id,
                          "delay_seconds": settings.delay_minutes * 60,
                          "second_reminder_seconds": (settings.second_reminder_hours or 0) * 3600})
        if created:
            self.carts.count(property_id, str(today), started=1)
        return cart, created

    def set_status(self, property_id: str, cart_id: str, body: CartStatusInput) -> tuple[Cart, bool]:
        """(cart, recovered now): paid after a reminder counts once as recovered, with its revenue."""
        today = self._today(property_id)
        before, after = self.carts.set_status(property_id, cart_id, body.status, clock.iso(clock.now()),
                                              body.booking_id)
        recovered = after.recovered and not before.recovered
        if recovered:
            self.carts.count(property_id, str(today), recovered=1, **{f"revenue_{after.currency}": after.total})
        return after, recovered

    def stats(self, property_id: str, date_from: date | None, date_to: date | None) -> CartStats:
        """Per period (default: the last 30 days of the property's calendar)."""
        end = date_to or self._today(property_id)
        start = date_from or end - timedelta(days=29)
        rows = self.carts.stats(property_id, str(start), str(end))
        total = {k: sum(int(r.get(k, 0)) for r in rows) for k in ("started", "reminded", "recovered")}
        revenue: dict[str, int] = {}
        for row in rows:
            for k, v in row.items():
                if k.startswith("revenue_"):
                    revenue[k.removeprefix("revenue_")] = revenue.get(k.removeprefix("revenue_"), 0) + int(v)
        rate = round(total["recovered"] / total["reminded"], 4) if total["reminded"] else 0.0
        return CartStats(property_id=property_id, date_from=start, date_to=end, recovered_revenue=revenue,
                         recovery_rate=rate, **total)

    def settings(self, property_id: str) -> CartSettings:
        return self.carts.settings(property_id)

    def put_settings(self, property_id: str, settings: CartSettings) -> CartSettings:
        self.properties.get(property_id)  # 404 for an unknown property
        self.carts.put_settings(property_id, settings)
        return settings


__all__ = ["CartService", "Flow", "StepFunctionsFlow"]
