"""Private sales and partner programs (admin), and a private sale opened by its link (guests)."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from revenir.codes.models import Evaluation, ValidateResponse
from revenir.core import clock, ids
from revenir.core.errors import InvalidInput, NotFound
from revenir.core.pricing import Line
from revenir.core.settings import TableSettings, load
from revenir.http.app import create_app, json_response
from revenir.http.params import PropertyId
from revenir.properties.store import PropertyRepository
from revenir.sales.partner_card_store import PartnerCardRepository
from revenir.sales.partner_cards import PartnerProgram, PartnerProgramInput, parse_cards
from revenir.sales.private_sale_store import PrivateSaleRepository
from revenir.sales.private_sales import (
    PriceRequest,
    PrivateSale,
    PrivateSaleInput,
    PrivateSaleOut,
    PublicSale,
    evaluate_sale,
    new_link_token,
    public_view,
)

logger = Logger(service="sales")
metrics = Metrics(namespace="Revenir", service="sales")
app = create_app()

SaleId = Annotated[str, Path(pattern=r"^ps_[0-9a-z]{26}$")]
ProgramId = Annotated[str, Path(pattern=r"^pp_[0-9a-z]{26}$")]
LinkToken = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


@cache
def repositories() -> tuple[PropertyRepository, PrivateSaleRepository, PartnerCardRepository]:
    table = load(TableSettings).table_name
    client = boto3.client("dynamodb")
    return PropertyRepository(client, table), PrivateSaleRepository(client, table), PartnerCardRepository(client, table)


def _today(property_id: str) -> Any:
    return clock.local_today(repositories()[0].get(property_id).time_zone)


def _out(sale: PrivateSale, property_id: str) -> PrivateSaleOut:
    return PrivateSaleOut(**sale.model_dump(), status=sale.status_on(_today(property_id)))


# ---------------------------------------------------------------- private sales (admin)
@app.post("/v1/admin/properties/<property_id>/private-sales", tags=["Private sales"], summary="Create a private sale")
def create_sale(property_id: PropertyId, body: Annotated[PrivateSaleInput, Body()]) -> Response[PrivateSaleOut]:
    now = clock.iso(clock.now())
    sale = PrivateSale(id=ids.new_id("ps"), property_id=property_id, link_token=new_link_token(), created_at=now,
                       updated_at=now, **body.model_dump())
    repositories()[1].save(sale)
    return json_response(201, _out(sale, property_id))


@app.get("/v1/admin/properties/<property_id>/private-sales", tags=["Private sales"], summary="List private sales")
def list_sales(property_id: PropertyId) -> dict[str, list[PrivateSaleOut]]:
    today = _today(property_id)
    return {"private_sales": [PrivateSaleOut(**s.model_dump(), status=s.status_on(today))
                              for s in repositories()[1].list_sales(property_id)]}


@app.get("/v1/admin/properties/<property_id>/private-sales/<sale_id>", tags=["Private sales"],
         summary="Read a private sale")
def get_sale(property_id: PropertyId, sale_id: SaleId) -> PrivateSaleOut:
    return _out(repositories()[1].get(property_id, sale_id), property_id)


@app.put("/v1/admin/properties/<property_id>/private-sales/<sale_id>", tags=["Private sales"],
         summary="Replace a private sale (its link stays the same)")
def replace_sale(property_id: PropertyId, sale_id: SaleId, body: Annotated[PrivateSaleInput, Body()]) -> PrivateSaleOut:
    sales = repositories()[1]
    previous = sales.find(property_id, sale_id)
    sale = PrivateSale(id=sale_id, property_id=property_id, link_token=previous["link_token"],
                       archived=previous.get("archived", False), created_at=previous["created_at"],
                       updated_at=clock.iso(clock.now()), **body.model_dump())
    return _out(sales.save(sale, previous), property_id)


@app.delete("/v1/admin/properties/<property_id>/private-sales/<sale_id>", tags=["Private sales"],
            summary="Archive a private sale (its link and access code stop working)")
def archive_sale(property_id: PropertyId, sale_id: SaleId) -> Response[None]:
    sales = repositories()[1]
    previous = sales.find(property_id, sale_id)
    sale = PrivateSale.model_validate({**previous, "archived": True, "updated_at": clock.iso(clock.now())})
    sales.save(sale, previous)
    return Response(status_code=204)


# ---------------------------------------------------------------- private sales (guests, by link)
@app.get("/v1/properties/<property_id>/private-sales/<token>", tags=["Booking widget"],
         summary="Open a private sale by its link token")
def open_sale(property_id: PropertyId, token: LinkToken,
              lang: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None) -> PublicSale:
    sale = repositories()[1].by_token(property_id, token)
    if sale is None or sale.archived:
        raise NotFound("no such private sale", code="private_sale_not_found")
    return public_view(sale, _today(property_id), lang)


@app.post("/v1/properties/<property_id>/private-sales/<token>/price", tags=["Booking widget"],
          summary="Price a basket with a private sale opened by its link")
def price_with_sale(property_id: PropertyId, token: LinkToken,
                    body: Annotated[PriceRequest, Body()]) -> ValidateResponse:
    sale = repositories()[1].by_token(property_id, token)
    if sale is None or sale.archived:
        raise NotFound("no such private sale", code="private_sale_not_found")
    lines = [Line(li.offer_id, li.amount, li.currency) for li in body.lines]
    reason, priced = evaluate_sale(sale, body.arrival, body.departure, lines, _today(property_id))
    return Evaluation(reason, None, priced, kind="private_sale", name=sale.name, code=sale.access_code,
                      advantage=sale.advantage, ref=sale.id).response()


# ---------------------------------------------------------------- partner programs and cards (admin)
class CardReport(BaseModel):
    added: int
    already_loaded: int
    rejected: list[dict[str, Any]]


@app.post("/v1/admin/properties/<property_id>/partner-programs", tags=["Partner cards"],
          summary="Create a partner program (a pass, a card scheme)")
def create_program(property_id: PropertyId, body: Annotated[PartnerProgramInput, Body()]) -> Response[PartnerProgram]:
    now = clock.iso(clock.now())
    program = PartnerProgram(id=ids.new_id("pp"), property_id=property_id, created_at=now, updated_at=now,
                             **body.model_dump())
    return json_response(201, repositories()[2].save_program(program))


@app.get("/v1/admin/properties/<property_id>/partner-programs", tags=["Partner cards"],
         summary="List partner programs")
def list_programs(property_id: PropertyId) -> dict[str, list[PartnerProgram]]:
    return {"partner_programs": repositories()[2].list_programs(property_id)}


@app.put("/v1/admin/properties/<property_id>/partner-programs/<program_id>", tags=["Partner cards"],
         summary="Replace a partner program's terms")
def replace_program(property_id: PropertyId, program_id: ProgramId,
                    body: Annotated[PartnerProgramInput, Body()]) -> PartnerProgram:
    cards = repositories()[2]
    previous = cards.get_program(property_id, program_id)
    program = PartnerProgram(id=program_id, property_id=property_id, created_at=previous.created_at,
                             updated_at=clock.iso(clock.now()), **body.model_dump())
    return cards.save_program(program)


@app.post("/v1/admin/properties/<property_id>/partner-programs/<program_id>/cards", tags=["Partner cards"],
          summary="Load card numbers from a CSV file (one per row); a per-row report comes back")
def load_cards(property_id: PropertyId, program_id: ProgramId) -> CardReport:
    cards = repositories()[2]
    cards.get_program(property_id, program_id)
    text = app.current_event.decoded_body or ""
    if not text.strip():
        raise InvalidInput("send the card numbers as a CSV body", code="empty_file")
    rows = parse_cards(text)
    outcomes = cards.add_cards(property_id, program_id, rows.numbers, clock.iso(clock.now()))
    rejected = rows.errors + [{"value": o["number"], "error": o["error"]} for o in outcomes if o["status"] == "error"]
    return CardReport(added=sum(o["status"] == "added" for o in outcomes),
                      already_loaded=sum(o["status"] == "already_loaded" for o in outcomes), rejected=rejected)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
