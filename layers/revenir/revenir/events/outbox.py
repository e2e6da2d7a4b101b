"""The transactional outbox: a service adds `outbox_put(...)` to the transaction that makes a change, so the
event exists if and only if the change does. The table's stream feeds the publisher (functions/events), which
sends each event to the EventBridge bus; the item expires a day later (TTL).

Keys: one partition per event (`PROPERTY#<id>#EVENT#<event id>`), never a hot one. The stream filter matches
`record_type = domain_event` on INSERT only, so other stream consumers' items never reach the publisher.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from revenir.core import clock, ids
from revenir.events.models import Event, envelope
from revenir.table.dynamodb import serialize

#: The stream filter's marker (template.yaml, EventsPublisherFunction's FilterCriteria).
RECORD_TYPE = "domain_event"
#: How long an event item stays in the table after it was written (the publisher reads it within seconds).
RETENTION = timedelta(days=1)


def outbox_put(table: str, property_id: str, event_type: str, data: BaseModel | dict[str, Any],
               now: datetime | None = None) -> dict[str, Any]:
    """A TransactWriteItems `Put` of one domain event (validated against its payload model)."""
    now = now or clock.now()
    event = envelope(event_type, ids.new_id("evt"), clock.iso(now), property_id, data)
    return {"Put": {"TableName": table, "Item": serialize({
        "pk": f"PROPERTY#{property_id}#EVENT#{event.id}", "sk": "EVENT", "record_type": RECORD_TYPE,
        "event": event.model_dump_json(), "expires_at_epoch": int((now + RETENTION).timestamp())}),
        "ConditionExpression": "attribute_not_exists(pk)"}}


def event_of_image(image: dict[str, Any]) -> Event | None:
    """The event in a stream record's NewImage (DynamoDB JSON), or None for any other item."""
    if (image.get("record_type") or {}).get("S") != RECORD_TYPE:
        return None
    return Event.model_validate(json.loads(image["event"]["S"]))


def bus_entry(event: Event, bus_name: str) -> dict[str, Any]:
    """The PutEvents entry of an event: Source "revenir", DetailType its type, Detail its envelope."""
    return {"Source": "revenir", "DetailType": event.type, "Detail": event.model_dump_json(),
            "EventBusName": bus_name}


__all__ = ["RECORD_TYPE", "bus_entry", "event_of_image", "outbox_put"]
