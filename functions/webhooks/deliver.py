"""Webhook deliveries: the queue the EventBridge rule feeds (one message per event) and the admin's replays.

Powertools batch utility: a message whose delivery must be retried is reported failed after its visibility is
set to the backoff (revenir.webhooks.delivery.backoff), so SQS brings it back then; the others are deleted.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.core.settings import TableSettings, load
from revenir.core.wiring import dependency
from revenir.webhooks.delivery import Deliverer
from revenir.webhooks.store import WebhookRepository

logger = Logger(service="webhooks")
processor = BatchProcessor(event_type=EventType.SQS)


class DeliverySettings(TableSettings):
    queue_url: str = Field(alias="WEBHOOK_QUEUE_URL", min_length=1)
    max_attempts: int = Field(alias="WEBHOOK_MAX_ATTEMPTS", ge=1, le=50)
    backoff_base_seconds: float = Field(alias="WEBHOOK_BACKOFF_BASE_SECONDS", ge=0)
    local_hosts: str = Field(default="", alias="WEBHOOK_LOCAL_HOSTS")


class RetryLater(Exception):
    """The message comes back after its backoff (its visibility was changed)."""


@dependency
def _sqs() -> Any:
    return boto3.client("sqs")


@dependency
def deliverer() -> Deliverer:
    settings = load(DeliverySettings)
    hosts = frozenset(h.strip().lower() for h in settings.local_hosts.split(",") if h.strip())
    return Deliverer(WebhookRepository(boto3.client("dynamodb"), settings.table_name),
                     max_attempts=settings.max_attempts, backoff_base=settings.backoff_base_seconds,
                     local_hosts=hosts)


def deliver(record: SQSRecord) -> None:
    wait = deliverer().handle(record.json_body)
    if wait is not None:
        _sqs().change_message_visibility(QueueUrl=load(DeliverySettings).queue_url,
                                         ReceiptHandle=record.receipt_handle, VisibilityTimeout=wait)
        raise RetryLater(f"retry in {wait} s")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
