"""The e-mailing tools' sync: the table's stream (guests' profiles and stays, the property's segments) and the
resync queue (one page of a property's guest list per message), each with the Powertools batch utility:
a record that fails is reported (partial batch response), retried, then sent to the OnFailure destination
(stream) or the dead-letter queue (resync). docs/emailing-tools.md."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.core.settings import EnvironmentSettings, TableSettings, load
from revenir.core.wiring import dependency
from revenir.guests.store import GuestRepository, guest_of_key, is_segment_key
from revenir.mailing.service import MailingService
from revenir.mailing.store import MailingRepository, ResyncQueue, SecretVault

logger = Logger(service="mailing-sync")
metrics = Metrics(namespace="Revenir", service="mailing-sync")
stream_processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
queue_processor = BatchProcessor(event_type=EventType.SQS)


class ToolBases(EnvironmentSettings):
    brevo: str = Field(alias="BREVO_API_BASE", pattern=r"^https?://")
    mailchimp: str = Field(alias="MAILCHIMP_API_BASE", pattern=r"^https?://")
    mailjet: str = Field(alias="MAILJET_API_BASE", pattern=r"^https?://")


class SyncSettings(TableSettings):
    secret_prefix: str = Field(alias="MAILING_SECRET_PREFIX", min_length=1)
    resync_queue_url: str = Field(alias="MAILING_RESYNC_QUEUE_URL", min_length=1)


@dependency
def service() -> MailingService:
    settings = load(SyncSettings)
    client = boto3.client("dynamodb")
    return MailingService(MailingRepository(client, settings.table_name), GuestRepository(client, settings.table_name),
                          SecretVault(boto3.client("secretsmanager"), settings.secret_prefix),
                          load(ToolBases).model_dump(),
                          enqueue=ResyncQueue(boto3.client("sqs"), settings.resync_queue_url))


def _key(record: DynamoDBRecord, name: str) -> str:
    keys = (record.raw_event.get("dynamodb") or {}).get("Keys") or {}
    return str((keys.get(name) or {}).get("S", ""))


def sync_record(record: DynamoDBRecord) -> None:
    pk, sk = _key(record, "pk"), _key(record, "sk")
    event_name = str(record.raw_event.get("eventName", ""))
    guest = guest_of_key(pk, sk)
    if guest is not None:
        outcome = service().changed(event_name, *guest)
    elif is_segment_key(sk) and pk.startswith("PROPERTY#") and pk.count("#") == 1:
        outcome = service().segments_changed(pk.removeprefix("PROPERTY#"))
    else:
        outcome = "ignored"
    logger.debug("synced", extra={"outcome": outcome, "event": event_name})


@logger.inject_lambda_context
@metrics.log_metrics
def handle_stream(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    service().begin_batch()
    try:
        response = process_partial_response(event=event, record_handler=sync_record, processor=stream_processor,
                                             context=context)
    finally:
        service().end_batch()
    failed = len(response.get("batchItemFailures", []))
    if failed:
        metrics.add_metric(name="MailingSyncFailures", unit=MetricUnit.Count, value=failed)
    return response


def resync_record(record: SQSRecord) -> None:
    message = record.json_body
    service().resync_page(str(message["property_id"]), message.get("cursor"), bool(message.get("force")))


@logger.inject_lambda_context
@metrics.log_metrics
def handle_resync(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    service().begin_batch()
    try:
        return process_partial_response(event=event, record_handler=resync_record, processor=queue_processor,
                                        context=context)
    finally:
        service().end_batch()
