"""Send a promo code to a guest by e-mail (admin). Its own function: it alone may send mail (SES) and
imports jinja2."""

from __future__ import annotations

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.codes.mail import PromoCodeMailer, SendCodeRequest, SendCodeResult
from revenir.codes.store import PromoCodeRepository
from revenir.core.settings import EnvironmentSettings, TableSettings, load
from revenir.core.wiring import dependency
from revenir.http.app import create_app
from revenir.http.params import PropertyId
from revenir.mail.sender import SesMailer
from revenir.properties.store import PropertyRepository

logger = Logger(service="codes")
metrics = Metrics(namespace="Revenir", service="codes")
app = create_app()


class MailSettings(EnvironmentSettings):
    configuration_set: str = Field(alias="MAIL_CONFIGURATION_SET", min_length=1)


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


@dependency
def sender() -> PromoCodeMailer:
    table = load(TableSettings).table_name
    return PromoCodeMailer(PropertyRepository(_dynamodb(), table), PromoCodeRepository(_dynamodb(), table),
                           SesMailer(boto3.client("sesv2"), load(MailSettings).configuration_set))


@dependency
def _persistence() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=load(TableSettings).table_name, key_attr="pk", sort_key_attr="sk",
        static_pk_value="IDEMPOTENCY#send-promo-code", expiry_attr="expires_at_epoch", boto3_client=_dynamodb())


# A double click or a retried request within 10 minutes sends nothing more and returns the first result.
_idempotency = IdempotencyConfig(event_key_jmespath="[property_id, promo_id, guest.email]",
                                 expires_after_seconds=600)


def _send_payload(payload: dict[str, Any]) -> dict[str, Any]:
    result = sender().send(payload["property_id"], payload["promo_id"],
                           SendCodeRequest.model_validate(payload["guest"]))
    metrics.add_metric(name="PromoCodesSent", unit=MetricUnit.Count, value=1)
    return result.model_dump()


@app.post("/v1/admin/properties/<property_id>/promo-codes/<promo_id>/send", tags=["Promo codes"],
          summary="E-mail the code to a guest, in the guest's language")
def send_promo_code(property_id: PropertyId,
                    promo_id: Annotated[str, Path(pattern=r"^pc_[0-9a-z]{26}$")],
                    body: Annotated[SendCodeRequest, Body()]) -> SendCodeResult:
    send = idempotent_function(data_keyword_argument="payload", persistence_store=_persistence(),
                               config=_idempotency)(_send_payload)
    return SendCodeResult.model_validate(send(payload={
        "property_id": property_id, "promo_id": promo_id, "guest": body.model_dump()}))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _idempotency.register_lambda_context(context)
    return app.resolve(event, context)
