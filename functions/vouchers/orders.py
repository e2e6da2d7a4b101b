"""Gift orders from the widget: price the basket, create the Stripe PaymentIntent, return its client secret.

Its own function: the only one holding the Stripe secret key and importing stripe.
"""

from __future__ import annotations

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.connect.models import fee_basis_points
from revenir.connect.store import ConnectRepository
from revenir.core.settings import EnvironmentSettings, TableSettings, load
from revenir.core.wiring import dependency
from revenir.http.app import create_app, json_response
from revenir.http.params import PropertyId
from revenir.properties.store import PropertyRepository
from revenir.vouchers.models import GiftOrderInput
from revenir.vouchers.orders import GiftOrderOut, GiftOrderService
from revenir.vouchers.payments import StripeGateway
from revenir.vouchers.store import VoucherRepository

logger = Logger(service="gift-orders")
metrics = Metrics(namespace="Revenir", service="gift-orders")
app = create_app()


class StripeSettings(EnvironmentSettings):
    secret_name: str = Field(alias="STRIPE_SECRET_NAME", min_length=1,
                             description="Secrets Manager secret: {secret_key, webhook_secret}.")
    secret_key: str | None = Field(default=None, alias="STRIPE_SECRET_KEY",
                                   description="Local runtime only: overrides the secret.")
    api_base: str | None = Field(default=None, alias="STRIPE_API_BASE", description="localstripe, locally.")
    publishable_key: str = Field(alias="STRIPE_PUBLISHABLE_KEY", min_length=1)


class FeeSettings(EnvironmentSettings):
    application_fee_percent: str = Field(alias="APPLICATION_FEE_PERCENT", pattern=r"^\d{1,3}(\.\d{1,2})?$",
                                         description="The platform's fee on direct charges (template parameter).")


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def gateway() -> StripeGateway:
    settings = load(StripeSettings)
    key = settings.secret_key or str(parameters.get_secret(settings.secret_name, transform="json")["secret_key"])
    return StripeGateway(key, settings.api_base)


@dependency
def orders() -> GiftOrderService:
    dynamodb, table = boto3.client("dynamodb"), load(TableSettings).table_name
    return GiftOrderService(VoucherRepository(dynamodb, table), PropertyRepository(dynamodb, table),
                            ConnectRepository(dynamodb, table),
                            fee_basis_points(load(FeeSettings).application_fee_percent))


@app.post("/v1/properties/<property_id>/gift-orders", tags=["Gift vouchers"],
          summary="Order gift vouchers: creates a Stripe PaymentIntent (idempotency key = the order) and "
                  "returns its client secret for Stripe.js confirmCardPayment",
          responses={201: {"description": "Created"}, 402: {"description": "payment_declined"}})
def create_gift_order(property_id: PropertyId,
                      body: Annotated[GiftOrderInput, Body()]) -> Response[GiftOrderOut]:
    order = orders().place(gateway(), property_id, body)
    metrics.add_metric(name="GiftOrdersCreated", unit=MetricUnit.Count, value=1)
    return json_response(201, order.model_copy(update={"stripe_publishable_key": load(StripeSettings).publishable_key}))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
