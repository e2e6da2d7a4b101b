"""Stripe's events (POST /v1/stripe/webhook) and the gift e-mails.

`payment_intent.succeeded` issues the order's vouchers exactly once — Powertools Idempotency keyed on the
order, over a repository write that is itself conditional on the order still being pending — then sends the
e-mails that are due (each send idempotent too). `charge.refunded` voids what is left of the vouchers the
refund paid for; `payment_intent.payment_failed` issues nothing. A paid order that cannot be issued for good
is refunded and the buyer and the host told (revenir.vouchers.refunds), and the event acknowledged.
POST /v1/stripe/connect/webhook takes the Connect endpoint's events (direct charges on the properties' own
accounts: each carries `account`), verified with that endpoint's own secret; an order or a pending payment is
touched only by events from the account it was charged on. Pending payments' events (metadata revenir_kind)
go to revenir.pending, `account.updated` to revenir.connect.
`deliver_due` (every minute) sends the recipients' e-mails on their chosen day. Own function: the Stripe secret
and SES rights; stripe is imported only to refund (signatures are verified by revenir.vouchers.stripe_signature).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.codes.service import PromoCodeHolds
from revenir.codes.store import PromoCodeRepository
from revenir.connect.service import record_account_updated
from revenir.connect.store import ConnectRepository
from revenir.core.settings import TableSettings, load
from revenir.core.wiring import dependency
from revenir.http.app import create_app, error_response, json_response
from revenir.mail.sender import SesMailer
from revenir.packages.orders import PackageOrders
from revenir.packages.store import PackageRepository
from revenir.pending.service import PendingPayments
from revenir.pending.store import PendingPaymentRepository
from revenir.properties.store import PropertyRepository
from revenir.vouchers import stripe_signature as stripe_webhook
from revenir.vouchers.deliveries import GiftDeliveries
from revenir.vouchers.orders import GiftOrderService
from revenir.vouchers.refunds import FailedOrders
from revenir.vouchers.store import VoucherRepository

logger = Logger(service="gift-vouchers")
metrics = Metrics(namespace="Revenir", service="gift-vouchers")
app = create_app(validation=False)


class MailSettings(TableSettings):
    configuration_set: str = Field(alias="MAIL_CONFIGURATION_SET", min_length=1)


class WebhookSettings(TableSettings):
    secret_name: str = Field(alias="STRIPE_SECRET_NAME", min_length=1)
    webhook_secret: str | None = Field(default=None, alias="STRIPE_WEBHOOK_SECRET",
                                       description="Local runtime only: overrides the secret.")
    secret_key: str | None = Field(default=None, alias="STRIPE_SECRET_KEY",
                                   description="Local runtime only: overrides the secret (refunds).")
    api_base: str | None = Field(default=None, alias="STRIPE_API_BASE", description="localstripe, locally.")
    connect_webhook_secret: str | None = Field(default=None, alias="STRIPE_CONNECT_WEBHOOK_SECRET",
                                               description="Local runtime only: overrides the secret.")


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


@dependency
def _repositories() -> tuple[VoucherRepository, PropertyRepository]:
    table = load(TableSettings).table_name
    return VoucherRepository(_dynamodb(), table), PropertyRepository(_dynamodb(), table)


@dependency
def orders() -> GiftOrderService:
    return GiftOrderService(*_repositories())


@dependency
def _connect() -> ConnectRepository:
    return ConnectRepository(_dynamodb(), load(TableSettings).table_name)


@dependency
def pending() -> PendingPayments:
    table = load(TableSettings).table_name
    return PendingPayments(PendingPaymentRepository(_dynamodb(), table), _repositories()[1], _connect())


@dependency
def package_orders() -> PackageOrders:
    table = load(TableSettings).table_name
    return PackageOrders(PackageRepository(_dynamodb(), table), _repositories()[1], _connect())


@dependency
def holds() -> PromoCodeHolds:
    return PromoCodeHolds(PromoCodeRepository(_dynamodb(), load(TableSettings).table_name))


@dependency
def _mailer() -> SesMailer:
    return SesMailer(boto3.client("sesv2"), load(MailSettings).configuration_set)


@dependency
def deliveries() -> GiftDeliveries:
    return GiftDeliveries(*_repositories(), _mailer())


@dependency
def failed_orders() -> FailedOrders:
    """Refunds (the Stripe secret key) for paid orders that cannot be issued: stripe imported only then."""
    from revenir.vouchers.payments import StripeGateway

    settings = load(WebhookSettings)
    key = settings.secret_key or str(parameters.get_secret(settings.secret_name, transform="json",
                                                           max_age=300)["secret_key"])
    return FailedOrders(*_repositories(), StripeGateway(key, settings.api_base), _mailer())


def _settle_failed(property_id: str, order_id: str, payment_intent_id: str, reason: str) -> dict[str, Any]:
    settled = failed_orders().settle(property_id, order_id, payment_intent_id, reason)
    metrics.add_metric(name="GiftOrdersRefundedUnissued", unit=MetricUnit.Count, value=int(settled["refunded"]))
    logger.warning("paid gift order not issued: refunded", extra={"order_id": order_id, "reason": reason,
                                                                  "refund_id": settled.get("refund_id")})
    return settled


def _webhook_secrets(name: str = "webhook_secret") -> list[str]:
    """The platform endpoint's signing secret(s), or the Connect endpoint's (`connect_webhook_secret`)."""
    settings = load(WebhookSettings)
    local = settings.webhook_secret if name == "webhook_secret" else settings.connect_webhook_secret
    if local:
        return [local]
    secret = parameters.get_secret(settings.secret_name, transform="json", max_age=300)
    value = secret[name]
    return list(value) if isinstance(value, list) else [str(value)]  # a list while rolling a secret


@cache
def _persistence(name: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=load(TableSettings).table_name, key_attr="pk", sort_key_attr="sk",
        static_pk_value=f"IDEMPOTENCY#{name}", expiry_attr="expires_at_epoch", boto3_client=_dynamodb())


# Stripe retries an event for up to three days: remember an order's issuing for four.
_issue_config = IdempotencyConfig(event_key_jmespath="[property_id, order_id]", expires_after_seconds=4 * 86400)
_send_config = IdempotencyConfig(event_key_jmespath="[property_id, order_id, to]", expires_after_seconds=86400)


def _issue(payload: dict[str, Any]) -> dict[str, Any]:
    codes = orders().issue(payload["property_id"], payload["order_id"], payload["payment_intent_id"],
                           payload["amount"], payload["currency"])
    metrics.add_metric(name="GiftVouchersIssued", unit=MetricUnit.Count, value=len(codes))
    return {"codes": codes}


def _send(payload: dict[str, Any]) -> dict[str, Any]:
    """Send one delivery (the buyer's or the recipient's e-mail): claimed first, so one sender only."""
    message_id = deliveries().send(payload["property_id"], payload["order_id"], payload["to"])
    if message_id is None:
        return {"sent": False}
    metrics.add_metric(name="GiftVoucherMailsSent", unit=MetricUnit.Count, value=1)
    return {"sent": True, "message_id": message_id}


def issue_once(payload: dict[str, Any]) -> dict[str, Any]:
    return dict(idempotent_function(data_keyword_argument="payload", persistence_store=_persistence(
        "issue-gift-order"), config=_issue_config)(_issue)(payload=payload))


def send_once(payload: dict[str, Any]) -> dict[str, Any]:
    return dict(idempotent_function(data_keyword_argument="payload", persistence_store=_persistence(
        "send-gift-voucher"), config=_send_config)(_send)(payload=payload))


def _send_due_of_order(property_id: str, order_id: str) -> int:
    return sum(int(send_once({"property_id": property_id, "order_id": order_id, "to": to})["sent"])
               for to in deliveries().due_of_order(property_id, order_id))


def _handle(event: dict[str, Any], account: str | None) -> Response[Any]:
    """One verified event, to the capability it is about (wiring: the metadata names it)."""
    obj: dict[str, Any] = event["data"].get("object") or {}
    if event["type"] == "account.updated":
        return json_response(200, record_account_updated(_connect(), event))
    answer = package_orders().handle_event(event, account, _mailer())  # None: not about a package order
    if answer is not None:
        if answer.get("issued"):
            metrics.add_metric(name="PackagesSoldOnline", unit=MetricUnit.Count, value=1)
        return json_response(200, answer)
    if (obj.get("metadata") or {}).get("revenir_kind") == "pending_payment":
        answer = pending().handle_event(holds(), event, account)
        if answer.get("status") == "paid":
            metrics.add_metric(name="PendingPaymentsPaid", unit=MetricUnit.Count, value=1)
        return json_response(200, answer)
    try:
        outcome = orders().handle_event(event, issue_once, _send_due_of_order, _settle_failed, account=account)
    except IdempotencyAlreadyInProgressError:  # the same event, concurrently: Stripe will retry
        return error_response(409, "in_progress", "this order is being issued: retry later")
    if outcome.failed:
        metrics.add_metric(name="GiftPaymentsFailed", unit=MetricUnit.Count, value=1)
    if "voided" in outcome.result:
        metrics.add_metric(name="GiftVouchersVoided", unit=MetricUnit.Count, value=outcome.voided)
    if outcome.result.get("order_id"):
        logger.info("stripe event", extra={"stripe_event": event.get("id"), "type": event["type"],
                                           "order_id": outcome.result["order_id"], "account": account})
    return json_response(200, outcome.result)


@app.post("/v1/stripe/webhook")
def stripe_event() -> Response[Any]:
    """Stripe's events on the platform account, signature-verified (400 and nothing stored when the signature
    is bad or missing). An event that names a connected account is not the platform's: ignored here."""
    body = app.current_event.decoded_body or ""
    event = stripe_webhook.verify(body.encode(), app.current_event.headers.get("stripe-signature"),
                                  _webhook_secrets())
    if event.get("account"):
        return json_response(200, {"received": True, "handled": False, "reason": "connect_event"})
    return _handle(event, None)


@app.post("/v1/stripe/connect/webhook")
def stripe_connect_event() -> Response[Any]:
    """The Connect endpoint's events (the properties' own accounts), verified with its own secret; each must
    name its `account`, and touches only what was charged on that account."""
    body = app.current_event.decoded_body or ""
    event = stripe_webhook.verify(body.encode(), app.current_event.headers.get("stripe-signature"),
                                  _webhook_secrets("connect_webhook_secret"))
    account = event.get("account")
    if not isinstance(account, str) or not account.startswith("acct_"):
        return error_response(400, "missing_account", "a Connect event names its account",
                              [{"field": "body.account"}])
    return _handle(event, account)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _issue_config.register_lambda_context(context)
    _send_config.register_lambda_context(context)
    return app.resolve(event, context)


@logger.inject_lambda_context
@metrics.log_metrics
def deliver_due(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Every minute (EventBridge Scheduler): the gift e-mails whose day has come, read from gsi1's queue."""
    _send_config.register_lambda_context(context)
    sent = failed = 0
    for property_id, order_id, to in deliveries().due():
        try:
            sent += int(send_once({"property_id": property_id, "order_id": order_id, "to": to})["sent"])
        except Exception:  # one bad delivery must not stop the others; it is back in the queue
            logger.exception("gift e-mail failed", extra={"order_id": order_id, "to": to})
            failed += 1
    return {"sent": sent, "failed": failed}


__all__ = ["deliver_due", "lambda_handler"]
