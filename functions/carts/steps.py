"""The abandoned-cart state machine's task steps (one Lambda, the step named in the payload). Errors raise:
the state machine's Retry and Catch handle them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.typing import LambdaContext

from revenir.carts.reminders import CartReminders
from revenir.carts.store import CartRepository
from revenir.codes.store import PromoCodeRepository
from revenir.core.settings import MailSettings, load
from revenir.core.signing import Signer
from revenir.core.wiring import dependency
from revenir.guests.store import GuestRepository
from revenir.mail.sender import SesMailer

logger = Logger(service="carts")
metrics = Metrics(namespace="Revenir", service="carts")


@dependency
def reminders() -> CartReminders:
    settings = load(MailSettings)
    dynamodb = boto3.client("dynamodb")
    signer = Signer(str(parameters.get_secret(settings.signing_secret_name, max_age=300)))
    return CartReminders(CartRepository(dynamodb, settings.table_name), GuestRepository(dynamodb, settings.table_name),
                         PromoCodeRepository(dynamodb, settings.table_name),
                         SesMailer(boto3.client("sesv2"), settings.configuration_set), signer,
                         settings.public_base_url)


def _load(e: dict[str, Any]) -> dict[str, Any]:
    return reminders().load(e["property_id"], e["cart_id"])


def _issue(e: dict[str, Any]) -> dict[str, Any]:
    return reminders().issue_code(e["property_id"], e["cart_id"])


def _send(e: dict[str, Any]) -> dict[str, Any]:
    result = reminders().send(e["property_id"], e["cart_id"], e["template_id"], int(e.get("attempt", 1)))
    if result["sent"]:
        metrics.add_metric(name="CartsReminded", unit=MetricUnit.Count, value=1)
    return result


STEPS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "load_cart": _load, "issue_code": _issue, "send_reminder": _send}


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = STEPS.get(str(event.get("step")))
    if step is None:
        raise ValueError(f"unknown step {event.get('step')!r}")
    result = step(event)
    logger.info("cart step", extra={"step": event["step"], "cart_id": event.get("cart_id"), "result": result})
    return result
