"""Carts from the booking engine (token): a checkout starts the abandoned-cart state machine, its outcome is
recorded; the host's reminder settings and recovery figures (admin)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.carts.models import Cart, CartInput, CartSettings, CartStats, CartStatusInput, execution_name
from revenir.carts.store import CartRepository
from revenir.core import clock
from revenir.core.settings import TableSettings, load
from revenir.http.app import create_app, json_response
from revenir.http.params import PropertyId
from revenir.properties.store import PropertyRepository

logger = Logger(service="carts")
metrics = Metrics(namespace="Revenir", service="carts")
app = create_app()

CartId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class CartSettingsEnv(TableSettings):
    state_machine_arn: str = Field(alias="CART_STATE_MACHINE_ARN", pattern=r"^arn:aws[a-z-]*:states:")


@cache
def wiring() -> tuple[CartRepository, PropertyRepository, Any, str]:
    settings = load(CartSettingsEnv)
    dynamodb = boto3.client("dynamodb")
    return (CartRepository(dynamodb, settings.table_name), PropertyRepository(dynamodb, settings.table_name),
            boto3.client("stepfunctions"), settings.state_machine_arn)


def _local_day(property_id: str) -> tuple[str, str]:
    prop = wiring()[1].get(property_id)
    return str(clock.local_today(prop.time_zone)), prop.time_zone


@app.post("/v1/properties/<property_id>/carts", tags=["Booking engine"],
          summary="A checkout started: the abandoned-cart flow starts (once per cart)",
          responses={201: {"description": "Started"}, 200: {"description": "This cart was already started"}})
def start_cart(property_id: PropertyId, body: Annotated[CartInput, Body()]) -> Response[Cart]:
    carts, _, stepfunctions, machine = wiring()
    today, _ = _local_day(property_id)
    now = clock.iso(clock.now())
    name = execution_name(property_id, body.cart_id)
    cart, created = carts.create(Cart(property_id=property_id, started_at=now, updated_at=now, execution_name=name,
                                      **body.model_dump()))
    settings = carts.settings(property_id)
    execution_input = {"property_id": property_id, "cart_id": body.cart_id,
                       "delay_seconds": settings.delay_minutes * 60,
                       "second_reminder_seconds": (settings.second_reminder_hours or 0) * 3600}
    try:  # named after the cart: a repeated start (a retry, a duplicate) changes nothing
        stepfunctions.start_execution(stateMachineArn=machine, name=name, input=json.dumps(execution_input))
    except Exception as exc:
        if "ExecutionAlreadyExists" not in type(exc).__name__ and "ExecutionAlreadyExists" not in str(exc):
            raise
    if created:
        carts.count(property_id, today, started=1)
        metrics.add_metric(name="CartsStarted", unit=MetricUnit.Count, value=1)
    return json_response(201 if created else 200, cart)


@app.put("/v1/properties/<property_id>/carts/<cart_id>", tags=["Booking engine"],
         summary="Record how the checkout ended: paid, payment_failed or abandoned")
def update_cart(property_id: PropertyId, cart_id: CartId, body: Annotated[CartStatusInput, Body()]) -> Cart:
    carts = wiring()[0]
    today, _ = _local_day(property_id)
    before, after = carts.set_status(property_id, cart_id, body.status, clock.iso(clock.now()), body.booking_id)
    if after.recovered and not before.recovered:  # paid after a reminder
        carts.count(property_id, today, recovered=1, **{f"revenue_{after.currency}": after.total})
        metrics.add_metric(name="CartsRecovered", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="RecoveredRevenue", unit=MetricUnit.Count, value=after.total)
    return after


@app.get("/v1/admin/properties/<property_id>/carts/stats", tags=["Abandoned carts"],
         summary="Carts started, reminded, recovered (paid after a reminder) and recovered revenue, per period")
def cart_stats(property_id: PropertyId, date_from: Annotated[date | None, Query()] = None,
               date_to: Annotated[date | None, Query()] = None) -> CartStats:
    today, _ = _local_day(property_id)
    end = date_to or date.fromisoformat(today)
    start = date_from or end - timedelta(days=29)
    rows = wiring()[0].stats(property_id, str(start), str(end))
    total = {k: sum(int(r.get(k, 0)) for r in rows) for k in ("started", "reminded", "recovered")}
    revenue: dict[str, int] = {}
    for row in rows:
        for k, v in row.items():
            if k.startswith("revenue_"):
                revenue[k.removeprefix("revenue_")] = revenue.get(k.removeprefix("revenue_"), 0) + int(v)
    rate = round(total["recovered"] / total["reminded"], 4) if total["reminded"] else 0.0
    return CartStats(property_id=property_id, date_from=start, date_to=end, recovered_revenue=revenue,
                     recovery_rate=rate, **total)


@app.get("/v1/admin/properties/<property_id>/cart-settings", tags=["Abandoned carts"],
         summary="The reminders' delay, second reminder, discount and code validity")
def get_cart_settings(property_id: PropertyId) -> CartSettings:
    return wiring()[0].settings(property_id)


@app.put("/v1/admin/properties/<property_id>/cart-settings", tags=["Abandoned carts"],
         summary="Change the reminders' settings (the templates are enabled like the other e-mails)")
def put_cart_settings(property_id: PropertyId, body: Annotated[CartSettings, Body()]) -> CartSettings:
    wiring()[1].get(property_id)
    wiring()[0].put_settings(property_id, body)
    return body


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
