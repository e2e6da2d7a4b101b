"""Prepaid packages: the host's definitions, issuing by hand, the issued list (CSV export), a package's balance
and history, voiding (admin); balance, consumption and give-back by the booking engine (token).

Wiring only: parse (pydantic via Powertools), one call into revenir.packages.service, shape the response.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from revenir.core.settings import TableSettings, load
from revenir.core.wiring import dependency
from revenir.http.app import create_app, json_response
from revenir.http.params import BookingId, PropertyId
from revenir.packages.models import (
    Package,
    PackageConsumeRequest,
    PackageConsumption,
    PackageHolding,
    PackageHoldingDetail,
    PackageInput,
    PackageIssueInput,
    PackageUpdate,
)
from revenir.packages.service import PackageService
from revenir.packages.store import PackageRepository
from revenir.properties.store import PropertyRepository

logger = Logger(service="packages")
metrics = Metrics(namespace="Revenir", service="packages")
app = create_app()

PackageId = Annotated[str, Path(pattern=r"^pkg_[0-9a-z]{26}$")]
CodePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9 _.-]{4,40}$", description="Any case, dashes optional.")]


class PackageList(BaseModel):
    packages: list[Package]


class PackageHoldingList(BaseModel):
    holdings: list[PackageHolding]


class PackageUnitsReleased(BaseModel):
    released: int


@dependency
def packages() -> PackageService:
    dynamodb, table = boto3.client("dynamodb"), load(TableSettings).table_name
    return PackageService(PackageRepository(dynamodb, table), PropertyRepository(dynamodb, table))


# ---------------------------------------------------------------- definitions (admin)
@app.post("/v1/admin/properties/<property_id>/packages", tags=["Prepaid packages"],
          summary="Define a prepaid package (N nights, N stays or N units of a service)",
          responses={201: {"description": "Created"}})
def create_package(property_id: PropertyId, body: Annotated[PackageInput, Body()]) -> Response[Package]:
    return json_response(201, packages().create(property_id, body))


@app.get("/v1/admin/properties/<property_id>/packages", tags=["Prepaid packages"], summary="The property's packages")
def list_packages(property_id: PropertyId) -> PackageList:
    return PackageList(packages=packages().all(property_id))


@app.get("/v1/admin/properties/<property_id>/packages/<package_id>", tags=["Prepaid packages"], summary="A package")
def get_package(property_id: PropertyId, package_id: PackageId) -> Package:
    return packages().get(property_id, package_id)


@app.put("/v1/admin/properties/<property_id>/packages/<package_id>", tags=["Prepaid packages"],
         summary="Change a package's terms (for packages issued from now on) or archive it")
def replace_package(property_id: PropertyId, package_id: PackageId,
                    body: Annotated[PackageUpdate, Body()]) -> Package:
    return packages().replace(property_id, package_id, body)


# ---------------------------------------------------------------- issued packages (admin)
@app.post("/v1/admin/properties/<property_id>/packages/<package_id>/holdings", tags=["Prepaid packages"],
          summary="Issue a package by hand (sold at the desk, offered)", responses={201: {"description": "Created"}})
def issue_package(property_id: PropertyId, package_id: PackageId,
                  body: Annotated[PackageIssueInput, Body()]) -> Response[PackageHolding]:
    holding = packages().issue(property_id, package_id, body)
    metrics.add_metric(name="PackagesIssued", unit=MetricUnit.Count, value=1)
    return json_response(201, holding)


@app.get("/v1/admin/properties/<property_id>/packages/<package_id>/holdings", tags=["Prepaid packages"],
         summary="The packages issued from this definition, with their balance and status")
def list_holdings(property_id: PropertyId, package_id: PackageId) -> PackageHoldingList:
    return PackageHoldingList(holdings=packages().holdings(property_id, package_id))


@app.get("/v1/admin/properties/<property_id>/packages/<package_id>/holdings/export", tags=["Prepaid packages"],
         summary="The issued packages as CSV for Excel (UTF-8 BOM, `;`)",
         responses={200: {"description": "text/csv", "content": {"text/csv": {}}}})
def export_holdings(property_id: PropertyId, package_id: PackageId) -> Response[str]:
    return Response(status_code=200, content_type="text/csv; charset=utf-8",
                    body=packages().export_csv(property_id, package_id),
                    headers={"Content-Disposition": f'attachment; filename="packages-{package_id}.csv"'})


@app.get("/v1/admin/properties/<property_id>/package-holdings/<code>", tags=["Prepaid packages"],
         summary="An issued package: balance, validity, holder and its ledger (history)")
def holding_detail(property_id: PropertyId, code: CodePath) -> PackageHoldingDetail:
    return packages().detail(property_id, code)


@app.get("/v1/admin/properties/<property_id>/package-holdings/<code>/print", tags=["Prepaid packages"],
         summary="The printable package page (HTML, print-ready): to hand over a package issued at the desk",
         responses={200: {"description": "text/html", "content": {"text/html": {}}}})
def print_holding(property_id: PropertyId, code: CodePath,
                  lang: Annotated[Literal["fr", "en", "nl", "de"] | None, Query()] = None) -> Response[str]:
    return Response(status_code=200, content_type="text/html; charset=utf-8",
                    body=packages().printable(property_id, code, lang))


@app.post("/v1/admin/properties/<property_id>/package-holdings/<code>/void", tags=["Prepaid packages"],
          summary="Void what is left of an issued package")
def void_holding(property_id: PropertyId, code: CodePath) -> PackageHolding:
    return packages().void(property_id, code)


# ---------------------------------------------------------------- gift shop (anonymous)
@app.get("/v1/properties/<property_id>/packages/on-sale", tags=["Prepaid packages"],
         summary="The packages sold online (for the gift shop; bought through POST …/package-orders)")
def packages_on_sale(property_id: PropertyId) -> PackageList:
    return PackageList(packages=packages().on_sale(property_id))


# ---------------------------------------------------------------- booking engine
@app.get("/v1/properties/<property_id>/package-holdings/<code>", tags=["Booking engine"],
         summary="A package's units left and what it covers, before consuming")
def holding_balance(property_id: PropertyId, code: CodePath) -> PackageHolding:
    return packages().balance(property_id, code)


@app.post("/v1/properties/<property_id>/package-holdings/consume", tags=["Booking engine"],
          summary="Use units of a package for a booking (one transaction; idempotent per booking)")
def consume_package(property_id: PropertyId, body: Annotated[PackageConsumeRequest, Body()]) -> PackageConsumption:
    out = packages().consume(property_id, body)
    if not out.replayed:
        metrics.add_metric(name="PackageUnitsConsumed", unit=MetricUnit.Count, value=out.units)
    return out


@app.delete("/v1/properties/<property_id>/package-holdings/consumptions/<booking_id>", tags=["Booking engine"],
            summary="Give back the units a cancelled booking took from its packages")
def release_package_units(property_id: PropertyId, booking_id: BookingId) -> PackageUnitsReleased:
    return PackageUnitsReleased(**packages().release(property_id, booking_id))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


__all__ = ["lambda_handler"]
