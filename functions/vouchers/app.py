"""Gift vouchers and gift cards: admin catalog and "ordered by" lists (CSV export and import, manual issue,
extension), the widget's gift shop and balance check (anonymous), redemptions by the booking engine (token).

Wiring only: parse (pydantic via Powertools), one call into revenir.vouchers.service, shape the response.
No stripe here: paying is functions/vouchers/orders.py, Stripe's events functions/vouchers/webhook.py.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from revenir.connect.store import ConnectRepository
from revenir.core.settings import TableSettings, load
from revenir.core.wiring import dependency
from revenir.guard.policy import GuardPolicy
from revenir.http.app import create_app, guard_client, json_response
from revenir.http.params import BookingId, CsvLocale, PropertyId
from revenir.properties.store import PropertyRepository
from revenir.vouchers.models import (
    BalanceOut,
    ExtendInput,
    GiftProduct,
    GiftProductInput,
    GiftShop,
    ManualIssueInput,
    Voucher,
    VoucherDetail,
    VoucherImportReport,
    VoucherRedeemRequest,
    VoucherRedemptionOut,
)
from revenir.vouchers.service import VoucherService
from revenir.vouchers.store import VoucherRepository
from revenir.vouchers.usage import VoucherUsage, VoucherUsageReport

logger = Logger(service="vouchers")
metrics = Metrics(namespace="Revenir", service="vouchers")
app = create_app()

ProductId = Annotated[str, Path(pattern=r"^gp_[0-9a-z]{26}$")]
CodePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9 _.-]{4,40}$", description="Any case, dashes optional.")]
StatusFilter = Literal["unused", "partly_used", "used", "expired", "void"]


class GuardSettings(TableSettings):
    max_attempts_per_client: int = Field(alias="GUARD_MAX_ATTEMPTS_PER_CLIENT", ge=1)
    max_attempts_per_property: int = Field(alias="GUARD_MAX_ATTEMPTS_PER_PROPERTY", ge=1)
    window_seconds: int = Field(alias="GUARD_WINDOW_SECONDS", ge=60)


class ShopSettings(TableSettings):
    stripe_publishable_key: str = Field(alias="STRIPE_PUBLISHABLE_KEY", min_length=1)
    stripe_js_url: str = Field(alias="STRIPE_JS_URL", pattern=r"^https?://")


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def vouchers() -> VoucherService:
    dynamodb, table = boto3.client("dynamodb"), load(TableSettings).table_name
    return VoucherService(VoucherRepository(dynamodb, table), PropertyRepository(dynamodb, table),
                          ConnectRepository(dynamodb, table))


@dependency
def guard() -> GuardPolicy:
    """Only the guessed routes (balance check, printable page) need the guard's settings."""
    s = load(GuardSettings)
    return GuardPolicy(s.max_attempts_per_client, s.max_attempts_per_property, s.window_seconds)


def _client_ip() -> str:
    return guard_client(app.current_event)


# ---------------------------------------------------------------- API models (pages)
class ProductPage(BaseModel):
    gift_products: list[GiftProduct]


class VoucherPage(BaseModel):
    vouchers: list[Voucher]
    next_cursor: str | None = None


# ---------------------------------------------------------------- admin: catalog
@app.post("/v1/admin/properties/<property_id>/gift-products", tags=["Gift vouchers"],
          summary="Create a gift voucher or gift card product", responses={201: {"description": "Created"}})
def create_product(property_id: PropertyId, body: Annotated[GiftProductInput, Body()]) -> Response[GiftProduct]:
    return json_response(201, vouchers().create_product(property_id, body))


@app.get("/v1/admin/properties/<property_id>/gift-products", tags=["Gift vouchers"], summary="List gift products")
def list_products(property_id: PropertyId) -> ProductPage:
    return ProductPage(gift_products=vouchers().list_products(property_id))


@app.get("/v1/admin/properties/<property_id>/gift-products/<product_id>", tags=["Gift vouchers"],
         summary="Read a gift product")
def get_product(property_id: PropertyId, product_id: ProductId) -> GiftProduct:
    return vouchers().get_product(property_id, product_id)


@app.put("/v1/admin/properties/<property_id>/gift-products/<product_id>", tags=["Gift vouchers"],
         summary="Replace a gift product (vouchers already sold keep their value and validity)")
def replace_product(property_id: PropertyId, product_id: ProductId,
                    body: Annotated[GiftProductInput, Body()]) -> GiftProduct:
    return vouchers().replace_product(property_id, product_id, body)


@app.delete("/v1/admin/properties/<property_id>/gift-products/<product_id>", tags=["Gift vouchers"],
            summary="Archive a gift product (no longer sold; its vouchers stay valid)")
def archive_product(property_id: PropertyId, product_id: ProductId) -> Response[None]:
    vouchers().archive_product(property_id, product_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- admin: "ordered by" list
@app.get("/v1/admin/properties/<property_id>/gift-products/<product_id>/vouchers", tags=["Gift vouchers"],
         summary="Vouchers sold from a product, newest first: client, e-mail, order, code, dates, status")
def list_vouchers(property_id: PropertyId, product_id: ProductId,
                  status: Annotated[StatusFilter | None, Query()] = None,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  cursor: Annotated[str | None, Query(max_length=2000)] = None) -> VoucherPage:
    page, next_cursor = vouchers().page(property_id, product_id, status=status, limit=limit, cursor=cursor)
    return VoucherPage(vouchers=page, next_cursor=next_cursor)


@app.get("/v1/admin/properties/<property_id>/gift-products/<product_id>/vouchers/export", tags=["Gift vouchers"],
         summary="The list as CSV (UTF-8 with BOM, in the property's language or `locale`)",
         responses={200: {"description": "text/csv", "content": {"text/csv": {}}}})
def export_vouchers(property_id: PropertyId, product_id: ProductId, locale: CsvLocale = None) -> Response[str]:
    body = vouchers().export_csv(property_id, product_id, locale)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body, headers={
        "Content-Disposition": f'attachment; filename="vouchers-{product_id}.csv"'})


@app.post("/v1/admin/properties/<property_id>/gift-products/<product_id>/vouchers/import", tags=["Gift vouchers"],
          summary="Import codes sold elsewhere (CSV body); a per-row report comes back. Re-importing changes "
                  "nothing.")
def import_vouchers(property_id: PropertyId, product_id: ProductId) -> VoucherImportReport:
    report = vouchers().import_csv(property_id, product_id, app.current_event.decoded_body or "")
    metrics.add_metric(name="VouchersImported", unit=MetricUnit.Count, value=report.imported)
    return report


@app.post("/v1/admin/properties/<property_id>/gift-products/<product_id>/vouchers", tags=["Gift vouchers"],
          summary="Issue a voucher without payment (a prize, a goodwill gesture)",
          responses={201: {"description": "Issued"}})
def issue_manually(property_id: PropertyId, product_id: ProductId,
                   body: Annotated[ManualIssueInput, Body()]) -> Response[Voucher]:
    return json_response(201, vouchers().issue_manually(property_id, product_id, body))


@app.get("/v1/admin/properties/<property_id>/vouchers/<code>", tags=["Gift vouchers"],
         summary="A voucher and its ledger")
def voucher_detail(property_id: PropertyId, code: CodePath) -> VoucherDetail:
    return vouchers().detail(property_id, code)


@app.patch("/v1/admin/properties/<property_id>/vouchers/<code>", tags=["Gift vouchers"],
           summary="Extend a voucher's validity")
def extend_voucher(property_id: PropertyId, code: CodePath, body: Annotated[ExtendInput, Body()]) -> Voucher:
    return vouchers().extend(property_id, code, body.valid_until)


@app.post("/v1/admin/properties/<property_id>/vouchers/<code>/void", tags=["Gift vouchers"],
          summary="Void what is left of a voucher (the ledger keeps the movement)")
def void_voucher(property_id: PropertyId, code: CodePath) -> Voucher:
    return vouchers().void(property_id, code)


@dependency
def usage() -> VoucherUsage:
    dynamodb, table = boto3.client("dynamodb"), load(TableSettings).table_name
    return VoucherUsage(VoucherRepository(dynamodb, table), PropertyRepository(dynamodb, table))


@app.get("/v1/admin/properties/<property_id>/vouchers/<code>/usage", tags=["Gift vouchers"],
         summary="The bookings that used the voucher: amount consumed per booking, over a period")
def voucher_usage(property_id: PropertyId, code: CodePath,
                  date_from: Annotated[date | None, Query(description="First local day (inclusive)")] = None,
                  date_to: Annotated[date | None, Query(description="Last local day (inclusive)")] = None,
                  ) -> VoucherUsageReport:
    return usage().report(property_id, code, date_from, date_to)


@app.get("/v1/admin/properties/<property_id>/vouchers/<code>/usage.csv", tags=["Gift vouchers"],
         summary="The voucher's usage as CSV (UTF-8 with BOM, in the property's language or `locale`)",
         responses={200: {"description": "text/csv", "content": {"text/csv": {}}}})
def voucher_usage_csv(property_id: PropertyId, code: CodePath, date_from: Annotated[date | None, Query()] = None,
                      date_to: Annotated[date | None, Query()] = None, locale: CsvLocale = None) -> Response[str]:
    body = usage().csv(property_id, code, date_from, date_to, locale)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body, headers={
        "Content-Disposition": 'attachment; filename="voucher-usage.csv"'})


# ---------------------------------------------------------------- widget (anonymous)
@app.get("/v1/properties/<property_id>/gift-shop", tags=["Gift vouchers"],
         summary="The gift products on sale today, and how to pay (Stripe publishable key and Stripe.js URL)")
def gift_shop(property_id: PropertyId) -> GiftShop:
    settings = load(ShopSettings)
    return vouchers().gift_shop(property_id, settings.stripe_publishable_key, settings.stripe_js_url)


@app.get("/v1/properties/<property_id>/vouchers/<code>", tags=["Gift vouchers"],
         summary="Balance check: status, balance and end of validity (rate-limited)",
         responses={200: {"description": "Status, balance and validity"},
                    429: {"description": "too_many_requests (Retry-After)"}})
def check_balance(property_id: PropertyId, code: CodePath) -> BalanceOut:
    return vouchers().check_balance(property_id, code, _client_ip(), guard())


@app.get("/v1/properties/<property_id>/vouchers/<code>/print", tags=["Gift vouchers"],
         summary="The printable voucher page (HTML, print-ready)",
         responses={200: {"description": "text/html", "content": {"text/html": {}}}})
def print_voucher(property_id: PropertyId, code: CodePath,
                  lang: Annotated[Literal["fr", "en", "nl", "de"] | None, Query()] = None) -> Response[str]:
    html = vouchers().printable(property_id, code, _client_ip(), guard(), lang)
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=html)


# ---------------------------------------------------------------- booking engine (token)
@app.post("/v1/properties/<property_id>/vouchers/redeem", tags=["Booking engine"],
          summary="Deduct from a voucher for a booking: one transaction, never below zero, once per booking",
          responses={201: {"description": "Redeemed"}, 200: {"description": "Same booking_id again"},
                     409: {"description": "insufficient_balance, voucher_expired, voucher_void, voucher_used, "
                                          "card_value_mismatch, currency_mismatch"}})
def redeem(property_id: PropertyId, body: Annotated[VoucherRedeemRequest, Body()]) -> Response[VoucherRedemptionOut]:
    result = vouchers().redeem(property_id, body)
    if not result.replayed:
        metrics.add_metric(name="VoucherRedemptions", unit=MetricUnit.Count, value=1)
    return json_response(200 if result.replayed else 201, result)


@app.delete("/v1/properties/<property_id>/vouchers/redemptions/<booking_id>", tags=["Booking engine"],
            summary="Give back what a booking took from its vouchers (cancellation)")
def release(property_id: PropertyId, booking_id: BookingId) -> Response[None]:
    vouchers().release(property_id, booking_id)
    return Response(status_code=204)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
