"""The domain events' publisher: the table's stream (filtered on outbox items, revenir.events.outbox) to the
EventBridge bus, one PutEvents entry per event (Source "revenir", DetailType the event type, Detail the
envelope). A failed record is reported (ReportBatchItemFailures) and retried from there, in order.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.core.settings import EnvironmentSettings, load
from revenir.core.wiring import dependency
from revenir.events.outbox import bus_entry, event_of_image

logger = Logger(service="events")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class BusSettings(EnvironmentSettings):
    event_bus_name: str = Field(alias="EVENT_BUS_NAME", min_length=1)


@dependency
def _events() -> Any:
    return boto3.client("events")


def publish(record: DynamoDBRecord) -> None:
    image = record.raw_event.get("dynamodb", {}).get("NewImage") or {}
    event = event_of_image(image)
    if event is None:
        return
    result = _events().put_events(Entries=[bus_entry(event, load(BusSettings).event_bus_name)])
    if result.get("FailedEntryCount"):
        raise RuntimeError(f"PutEvents refused {event.id}: {result['Entries'][0].get('ErrorCode')}")
    logger.info("published", extra={"event_id": event.id, "event_type": event.type})


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=publish, processor=processor, context=context)
