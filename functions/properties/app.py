"""Properties and their offers catalog (admin API). Wiring only: parse, one call into revenir.properties.service,
shape."""

from __future__ import annotations

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from revenir.core.settings import TableSettings, load
from revenir.core.wiring import dependency
from revenir.http.app import create_app, json_response
from revenir.http.params import PropertyId
from revenir.properties.models import Property, PropertyInput
from revenir.properties.offers import Offer, OfferInput
from revenir.properties.service import PropertyService
from revenir.properties.store import PropertyRepository

logger = Logger(service="properties")
metrics = Metrics(namespace="Revenir", service="properties")
app = create_app()

OfferId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", description="Offer identifier.")]


@dependency
def properties() -> PropertyService:
    return PropertyService(PropertyRepository(boto3.client("dynamodb"), load(TableSettings).table_name))


@app.put("/v1/admin/properties/<property_id>", summary="Create or replace a property", tags=["Properties"],
         responses={200: {"description": "Replaced"}, 201: {"description": "Created"}})
def put_property(property_id: PropertyId, body: Annotated[PropertyInput, Body()]) -> Response[Property]:
    prop, created = properties().put(property_id, body)
    return json_response(201 if created else 200, prop)


@app.get("/v1/admin/properties/<property_id>", summary="Read a property", tags=["Properties"])
def get_property(property_id: PropertyId) -> Property:
    return properties().get(property_id)


@app.put("/v1/admin/properties/<property_id>/offers/<offer_id>", summary="Create or replace an offer",
         tags=["Offers"])
def put_offer(property_id: PropertyId, offer_id: OfferId, body: Annotated[OfferInput, Body()]) -> Offer:
    return properties().put_offer(property_id, offer_id, body)


@app.get("/v1/admin/properties/<property_id>/offers", summary="List a property's offers", tags=["Offers"])
def list_offers(property_id: PropertyId) -> dict[str, list[Offer]]:
    return {"offers": properties().list_offers(property_id)}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
