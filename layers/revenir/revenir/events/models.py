"""Domain events: one envelope, a versioned payload per event type. Adding a type is one line in EVENT_TYPES.

The envelope is what EventBridge carries as `detail` and what a webhook endpoint receives as its body:
`{"type": "code.redeemed", "version": 1, "id": "evt_...", "occurred_at": "...", "property_id": "...",
"data": {...}}`. A payload's fields are only ever added within a version; a breaking change is a new version.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import models_json_schema


class EventMoney(BaseModel):
    model_config = ConfigDict(extra="ignore")
    amount: int = Field(description="Minor units")
    currency: str


class CodeRedeemed(BaseModel):
    """A promo code (or a private sale's access code, a partner card) used for a booking."""
    model_config = ConfigDict(extra="ignore")
    booking_id: str
    code: str
    kind: str = Field(description="promo_code, private_sale or partner_card")
    promo_id: str
    status: str = Field(description="held (while the guest pays) or confirmed")
    discount: EventMoney | None = None
    booking_total: EventMoney | None = Field(default=None, description="The basket before the discount")
    guest_email: str | None = None


class CodeReleased(BaseModel):
    """A redemption given back (cancelled booking, failed payment, expired hold)."""
    model_config = ConfigDict(extra="ignore")
    booking_id: str
    code: str
    kind: str
    promo_id: str
    reason: str = Field(description="released (by the booking engine) or hold_expired")


class VoucherPurchased(BaseModel):
    """A gift order paid and its vouchers issued."""
    model_config = ConfigDict(extra="ignore")
    order_id: str
    order_number: str | None = None
    codes: list[str]
    total: EventMoney
    buyer_email: str | None = None


class PackagePurchased(BaseModel):
    """A prepaid package paid online and issued (a number of nights, stays or service units)."""
    model_config = ConfigDict(extra="ignore")
    order_id: str
    package_id: str
    code: str
    units: int
    unit: str = Field(description="night, stay or service")
    total: EventMoney
    buyer_email: str | None = None


class VoucherRedeemed(BaseModel):
    """A gift voucher's amount consumed by a booking."""
    model_config = ConfigDict(extra="ignore")
    booking_id: str
    code: str
    amount: EventMoney


class GuestUnsubscribed(BaseModel):
    """A guest unsubscribed from the property's marketing e-mails."""
    model_config = ConfigDict(extra="ignore")
    guest_email: str


class ReviewReceived(BaseModel):
    """A new review (any source: the form, an import, Google)."""
    model_config = ConfigDict(extra="ignore")
    review_id: str
    source: str
    rating: int = Field(description="Hundredths on the 0-5 scale (450 = 4.5/5)")
    booking_id: str | None = None
    created_at: str


class CartRecovered(BaseModel):
    """An abandoned cart paid after a reminder."""
    model_config = ConfigDict(extra="ignore")
    cart_id: str
    booking_id: str | None = None
    total: EventMoney | None = None


#: Every event type -> (version, payload model). Adding an event type is one line here.
EVENT_TYPES: dict[str, tuple[int, type[BaseModel]]] = {
    "code.redeemed": (1, CodeRedeemed),
    "code.released": (1, CodeReleased),
    "voucher.purchased": (1, VoucherPurchased),
    "voucher.redeemed": (1, VoucherRedeemed),
    "package.purchased": (1, PackagePurchased),
    "guest.unsubscribed": (1, GuestUnsubscribed),
    "review.received": (1, ReviewReceived),
    "cart.recovered": (1, CartRecovered),
}


class Event(BaseModel):
    """The envelope of every domain event (EventBridge `detail`, a webhook's body)."""
    model_config = ConfigDict(extra="forbid")
    type: str
    version: int = Field(ge=1)
    id: str = Field(description="Unique per event; the webhook-id header of its deliveries")
    occurred_at: str = Field(description="ISO 8601, UTC")
    property_id: str
    data: dict[str, Any]


def envelope(event_type: str, event_id: str, occurred_at: str, property_id: str, data: BaseModel | dict[str, Any],
             ) -> Event:
    """A checked envelope: the type must be known and the payload must match its model."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    version, model = EVENT_TYPES[event_type]
    payload = model.model_validate(data.model_dump() if isinstance(data, BaseModel) else data)
    return Event(type=event_type, version=version, id=event_id, occurred_at=occurred_at, property_id=property_id,
                 data=payload.model_dump(mode="json", exclude_none=True))


def _typed_envelope(event_type: str) -> type[BaseModel]:
    """The envelope of one event type, for the OpenAPI document (`CodeRedeemedEvent`...)."""
    version, model = EVENT_TYPES[event_type]
    fields: dict[str, Any] = {name: (info.annotation, info) for name, info in Event.model_fields.items()}
    fields["type"] = (Literal[event_type], Field(description="The event type"))
    fields["version"] = (Literal[version], Field(description="The payload's version"))
    fields["data"] = (model, ...)
    return create_model(f"{model.__name__}Event", __doc__=model.__doc__, **fields)


def openapi_webhooks() -> tuple[dict[str, Any], dict[str, Any]]:
    """The OpenAPI 3.1 `webhooks` section (one per event type) and the component schemas it refers to."""
    envelopes = {t: _typed_envelope(t) for t in EVENT_TYPES}
    _, schema = models_json_schema([(m, "validation") for m in envelopes.values()],
                                   ref_template="#/components/schemas/{model}")
    webhooks = {}
    for event_type, model in envelopes.items():
        webhooks[event_type] = {"post": {
            "summary": event_type, "description": (model.__doc__ or "").strip() + (
                " Signed per the Standard Webhooks specification: verify the webhook-id, webhook-timestamp and "
                "webhook-signature headers with the endpoint's secret (docs/webhooks.md)."),
            "operationId": "webhook_" + event_type.replace(".", "_"), "tags": ["Webhooks"],
            "parameters": [{"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
                           for h in ("webhook-id", "webhook-timestamp", "webhook-signature")],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}},
            "responses": {"2XX": {"description": "Received (any 2xx); anything else is retried with backoff"}}}}
    return webhooks, schema.get("$defs", {})


__all__ = ["EVENT_TYPES", "Event", "envelope", "openapi_webhooks"]
