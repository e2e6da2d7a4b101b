"""Private sales and partner programs (admin), and a private sale opened by its link (guests).

Wiring only: parse, one call into revenir.sales.service, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from revenir.codes.models import ValidateResponse
from revenir.core.settings import TableSettings, load
from revenir.core.wiring import dependency
from revenir.http.app import create_app, json_response
from revenir.http.params import PropertyId
from revenir.properties.store import PropertyRepository
from revenir.sales.partner_card_store import PartnerCardRepository
from revenir.sales.partner_cards import PartnerProgram, PartnerProgramInput
from revenir.sales.private_sale_store import PrivateSaleRepository
from revenir.sales.private_sales import PriceRequest, PrivateSaleInput, PrivateSaleOut, PublicSale
from revenir.sales.service import CardReport, SalesService

logger = Logger(service="sales")
metrics = Metrics(namespace="Revenir", service="sales")
app = create_app()

SaleId = Annotated[str, Path(pattern=r"^ps_[0-9a-z]{26}$")]
ProgramId = Annotated[str, Path(pattern=r"^pp_[0-9a-z]{26}$")]
LinkToken = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def sales() -> SalesService:
    table = load(TableSettings).table_name
    client = boto3.client("dynamodb")
    return SalesService(PropertyRepository(client, table), PrivateSaleRepository(client, table),
                        PartnerCardRepository(client, table))


# ---------------------------------------------------------------- private sales (admin)
@app.post("/v1/admin/properties/<property_id>/private-sales", tags=["Private sales"], summary="Create a private sale")
def create_sale(property_id: PropertyId, body: Annotated[PrivateSaleInput, Body()]) -> Response[PrivateSaleOut]:
    return json_response(201, sales().create_sale(property_id, body))


@app.get("/v1/admin/properties/<property_id>/private-sales", tags=["Private sales"], summary="List private sales")
def list_sales(property_id: PropertyId) -> dict[str, list[PrivateSaleOut]]:
    return {"private_sales": sales().list_sales(property_id)}


@app.get("/v1/admin/properties/<property_id>/private-sales/<sale_id>", tags=["Private sales"],
         summary="Read a private sale")
def get_sale(property_id: PropertyId, sale_id: SaleId) -> PrivateSaleOut:
    return sales().get_sale(property_id, sale_id)


@app.put("/v1/admin/properties/<property_id>/private-sales/<sale_id>", tags=["Private sales"],
         summary="Replace a private sale (its link stays the same)")
def replace_sale(property_id: PropertyId, sale_id: SaleId, body: Annotated[PrivateSaleInput, Body()]) -> PrivateSaleOut:
    return sales().replace_sale(property_id, sale_id, body)


@app.delete("/v1/admin/properties/<property_id>/private-sales/<sale_id>", tags=["Private sales"],
            summary="Archive a private sale (its link and access code stop working)")
def archive_sale(property_id: PropertyId, sale_id: SaleId) -> Response[None]:
    sales().archive_sale(property_id, sale_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- private sales (guests, by link)
@app.get("/v1/properties/<property_id>/private-sales/<token>", tags=["Booking widget"],
         summary="Open a private sale by its link token")
def open_sale(property_id: PropertyId, token: LinkToken,
              lang: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None) -> PublicSale:
    return sales().open_sale(property_id, token, lang)


@app.post("/v1/properties/<property_id>/private-sales/<token>/price", tags=["Booking widget"],
          summary="Price a basket with a private sale opened by its link")
def price_with_sale(property_id: PropertyId, token: LinkToken,
                    body: Annotated[PriceRequest, Body()]) -> ValidateResponse:
    return sales().price(property_id, token, body)


# ---------------------------------------------------------------- partner programs and cards (admin)
@app.post("/v1/admin/properties/<property_id>/partner-programs", tags=["Partner cards"],
          summary="Create a partner program (a pass, a card scheme)")
def create_program(property_id: PropertyId, body: Annotated[PartnerProgramInput, Body()]) -> Response[PartnerProgram]:
    return json_response(201, sales().create_program(property_id, body))


@app.get("/v1/admin/properties/<property_id>/partner-programs", tags=["Partner cards"],
         summary="List partner programs")
def list_programs(property_id: PropertyId) -> dict[str, list[PartnerProgram]]:
    return {"partner_programs": sales().list_programs(property_id)}


@app.put("/v1/admin/properties/<property_id>/partner-programs/<program_id>", tags=["Partner cards"],
         summary="Replace a partner program's terms")
def replace_program(property_id: PropertyId, program_id: ProgramId,
                    body: Annotated[PartnerProgramInput, Body()]) -> PartnerProgram:
    return sales().replace_program(property_id, program_id, body)


@app.post("/v1/admin/properties/<property_id>/partner-programs/<program_id>/cards", tags=["Partner cards"],
          summary="Load card numbers from a CSV file (one per row); a per-row report comes back")
def load_cards(property_id: PropertyId, program_id: ProgramId) -> CardReport:
    return sales().load_cards(property_id, program_id, app.current_event.decoded_body or "")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
