"""Keys of webhook endpoints and their deliveries (docs/data-model.md, "Webhooks"). Private to revenir.webhooks."""

from __future__ import annotations

from revenir.table.partitions import property_pk

__all__ = ["ENDPOINT_PREFIX", "delivery_pk", "delivery_sk", "endpoint_sk", "property_pk"]

#: A property's endpoints live in its own partition: listing them for an event is one Query.
ENDPOINT_PREFIX = "WEBHOOK#"


def endpoint_sk(endpoint_id: str) -> str:
    return f"{ENDPOINT_PREFIX}{endpoint_id}"


def delivery_pk(property_id: str, endpoint_id: str) -> str:
    """One endpoint's delivery log (sk = the event id: time-ordered, newest last)."""
    return f"PROPERTY#{property_id}#WEBHOOK#{endpoint_id}"


def delivery_sk(event_id: str) -> str:
    return f"DELIVERY#{event_id}"
