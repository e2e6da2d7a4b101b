"""Carts from the booking engine (token): a checkout starts the abandoned-cart state machine, its outcome is
recorded; the host's reminder settings and recovery figures (admin)."""

from __future__ import annotations

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.carts.models import Cart, CartInput, CartSettings, CartStats, CartStatusInput
from revenir.carts.service import CartService, StepFunctionsFlow
from revenir.carts.store import CartRepository
from revenir.core.settings import EnvironmentSettings, TableSettings, load
from revenir.core.validation import Day
from revenir.core.wiring import dependency
from revenir.http.app import create_app, json_response
from revenir.http.params import PropertyId
from revenir.properties.store import PropertyRepository
from revenir.reviews.service import ReviewService
from revenir.reviews.store import ReviewRepository
from revenir.stats.models import Dashboard
from revenir.stats.service import DashboardService
from revenir.stats.store import StatsRepository

logger = Logger(service="carts")
metrics = Metrics(namespace="Revenir", service="carts")
app = create_app()

CartId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class FlowSettings(EnvironmentSettings):
    state_machine_arn: str = Field(alias="CART_STATE_MACHINE_ARN", pattern=r"^arn:aws[a-z-]*:states:")


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def carts() -> CartService:
    dynamodb, table = boto3.client("dynamodb"), load(TableSettings).table_name
    return CartService(CartRepository(dynamodb, table), PropertyRepository(dynamodb, table))


@dependency
def dashboards() -> DashboardService:
    dynamodb, table = boto3.client("dynamodb"), load(TableSettings).table_name
    return DashboardService(StatsRepository(dynamodb, table), carts(), ReviewService(ReviewRepository(dynamodb, table)))


@dependency
def flow() -> StepFunctionsFlow:
    """Only a checkout's start needs Step Functions."""
    return StepFunctionsFlow(boto3.client("stepfunctions"), load(FlowSettings).state_machine_arn)


@app.post("/v1/properties/<property_id>/carts", tags=["Booking engine"],
          summary="A checkout started: the abandoned-cart flow starts (once per cart)",
          responses={201: {"description": "Started"}, 200: {"description": "This cart was already started"}})
def start_cart(property_id: PropertyId, body: Annotated[CartInput, Body()]) -> Response[Cart]:
    cart, created = carts().start(property_id, body, flow())
    if created:
        metrics.add_metric(name="CartsStarted", unit=MetricUnit.Count, value=1)
    return json_response(201 if created else 200, cart)


@app.put("/v1/properties/<property_id>/carts/<cart_id>", tags=["Booking engine"],
         summary="Record how the checkout ended: paid, payment_failed or abandoned")
def update_cart(property_id: PropertyId, cart_id: CartId, body: Annotated[CartStatusInput, Body()]) -> Cart:
    cart, recovered = carts().set_status(property_id, cart_id, body)
    if recovered:  # paid after a reminder
        metrics.add_metric(name="CartsRecovered", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="RecoveredRevenue", unit=MetricUnit.Count, value=cart.total)
    return cart


@app.get("/v1/admin/properties/<property_id>/carts/stats", tags=["Abandoned carts"],
         summary="Carts started, reminded, recovered (paid after a reminder) and recovered revenue, per period")
def cart_stats(property_id: PropertyId, date_from: Annotated[Day | None, Query()] = None,
               date_to: Annotated[Day | None, Query()] = None) -> CartStats:
    return carts().stats(property_id, date_from, date_to)


@app.get("/v1/admin/properties/<property_id>/dashboard", tags=["Dashboard"],
         summary="The dashboard: codes, vouchers, carts, e-mails of a month and of the 12 months ending with it; "
                 "reviews now")
def dashboard(property_id: PropertyId,
              month: Annotated[str | None, Query(pattern=r"^(19\d\d|2[01]\d\d)-(0[1-9]|1[0-2])$",
                                                 description="YYYY-MM (1900-01 to 2199-12); default: this month")
                                    ] = None
              ) -> Dashboard:
    return dashboards().dashboard(property_id, month)


@app.get("/v1/admin/properties/<property_id>/cart-settings", tags=["Abandoned carts"],
         summary="The reminders' delay, second reminder, discount and code validity")
def get_cart_settings(property_id: PropertyId) -> CartSettings:
    return carts().settings(property_id)


@app.put("/v1/admin/properties/<property_id>/cart-settings", tags=["Abandoned carts"],
         summary="Change the reminders' settings (the templates are enabled like the other e-mails)")
def put_cart_settings(property_id: PropertyId, body: Annotated[CartSettings, Body()]) -> CartSettings:
    return carts().put_settings(property_id, body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
