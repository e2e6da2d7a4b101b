"""Gift vouchers and gift cards: admin catalog and "ordered by" lists (CSV export and import, manual issue,
extension), the widget's gift shop and balance check (anonymous), redemptions by the booking engine (token).

Thin: parse (pydantic via Powertools), call revenir.vouchers.store / revenir.vouchers.models, shape the response.
No stripe here: paying is functions/vouchers/orders.py, Stripe's events functions/vouchers/webhook.py.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from revenir.core import clock, ids
from revenir.core.errors import InvalidInput
from revenir.core.settings import TableSettings, load
from revenir.guard.policy import GuardPolicy
from revenir.guard.store import Counters
from revenir.http.app import create_app, json_response
from revenir.http.params import BookingId, PropertyId
from revenir.properties.models import Property
from revenir.properties.store import PropertyRepository
from revenir.vouchers import codes as voucher_codes
from revenir.vouchers import csv_files as voucher_csv
from revenir.vouchers import printable as voucher_print
from revenir.vouchers.models import (
    BalanceOut,
    ExtendInput,
    GiftProduct,
    GiftProductInput,
    ManualIssueInput,
    RedeemRequest,
    RedemptionOut,
    Voucher,
    status_of,
)
from revenir.vouchers.store import NewVoucher, VoucherRepository, product_from_input, voucher_out

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


@cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


@cache
def repositories() -> tuple[PropertyRepository, VoucherRepository]:
    settings = load(TableSettings)
    return PropertyRepository(_dynamodb(), settings.table_name), VoucherRepository(_dynamodb(), settings.table_name)


@cache
def guard() -> GuardPolicy:
    s = load(GuardSettings)
    return GuardPolicy(s.max_attempts_per_client, s.max_attempts_per_property, s.window_seconds)


def _property(property_id: str) -> Property:
    return repositories()[0].get(property_id)


def _today(prop: Property) -> Any:
    return clock.local_today(prop.time_zone)


# ---------------------------------------------------------------- API models
class ProductPage(BaseModel):
    gift_products: list[GiftProduct]


class VoucherPage(BaseModel):
    vouchers: list[Voucher]
    next_cursor: str | None = None


class LedgerEntry(BaseModel):
    kind: str
    amount: int = Field(description="Signed, minor units: credits positive, debits negative.")
    at: str
    booking_id: str | None = None
    order_id: str | None = None
    note: str | None = None


class VoucherDetail(BaseModel):
    voucher: Voucher
    ledger: list[LedgerEntry]
    ledger_sum: int = Field(description="Always equals the voucher's balance.")


class ImportRowReport(BaseModel):
    row: int
    code: str
    status: Literal["imported", "unchanged", "code_taken", "error"]
    message: str | None = None


class ImportReport(BaseModel):
    imported: int
    unchanged: int
    rejected: int
    rows: list[ImportRowReport]


class ShopProduct(BaseModel):
    id: str
    kind: str
    name: str
    name_translations: dict[str, str]
    description: str | None = None
    description_translations: dict[str, str]
    currency: str
    value: dict[str, Any]
    validity: dict[str, Any]
    offer_ids: list[str] | None = None


class GiftShop(BaseModel):
    property_id: str
    property_name: str
    currency: str
    products: list[ShopProduct]
    stripe_publishable_key: str
    stripe_js_url: str


# ---------------------------------------------------------------- admin: catalog
@app.post("/v1/admin/properties/<property_id>/gift-products", tags=["Gift vouchers"],
          summary="Create a gift voucher or gift card product", responses={201: {"description": "Created"}})
def create_product(property_id: PropertyId, body: Annotated[GiftProductInput, Body()]) -> Response[GiftProduct]:
    prop = _property(property_id)
    if body.currency != prop.currency:
        raise InvalidInput("a gift product is sold in the property's currency", code="currency_mismatch")
    now = clock.iso(clock.now())
    product = product_from_input(ids.new_id("gp"), property_id, body, now, now)
    repositories()[1].put_product(property_id, product)
    return json_response(201, product)


@app.get("/v1/admin/properties/<property_id>/gift-products", tags=["Gift vouchers"], summary="List gift products")
def list_products(property_id: PropertyId) -> ProductPage:
    return ProductPage(gift_products=repositories()[1].list_products(property_id))


@app.get("/v1/admin/properties/<property_id>/gift-products/<product_id>", tags=["Gift vouchers"],
         summary="Read a gift product")
def get_product(property_id: PropertyId, product_id: ProductId) -> GiftProduct:
    return repositories()[1].get_product(property_id, product_id)


@app.put("/v1/admin/properties/<property_id>/gift-products/<product_id>", tags=["Gift vouchers"],
         summary="Replace a gift product (vouchers already sold keep their value and validity)")
def replace_product(property_id: PropertyId, product_id: ProductId,
                    body: Annotated[GiftProductInput, Body()]) -> GiftProduct:
    repo = repositories()[1]
    old = repo.get_product(property_id, product_id)
    product = product_from_input(product_id, property_id, body, old.created_at, clock.iso(clock.now()))
    return repo.put_product(property_id, product, must_exist=True)


@app.delete("/v1/admin/properties/<property_id>/gift-products/<product_id>", tags=["Gift vouchers"],
            summary="Archive a gift product (no longer sold; its vouchers stay valid)")
def archive_product(property_id: PropertyId, product_id: ProductId) -> Response[None]:
    repo = repositories()[1]
    product = repo.get_product(property_id, product_id)
    repo.put_product(property_id, product.model_copy(update={"archived": True, "updated_at": clock.iso(
        clock.now())}), must_exist=True)
    return Response(status_code=204)


# ---------------------------------------------------------------- admin: "ordered by" list
@app.get("/v1/admin/properties/<property_id>/gift-products/<product_id>/vouchers", tags=["Gift vouchers"],
         summary="Vouchers sold from a product, newest first: client, e-mail, order, code, dates, status")
def list_vouchers(property_id: PropertyId, product_id: ProductId,
                  status: Annotated[StatusFilter | None, Query()] = None,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  cursor: Annotated[str | None, Query(max_length=2000)] = None) -> VoucherPage:
    prop = _property(property_id)
    vouchers, next_cursor = repositories()[1].page(property_id, product_id, _today(prop), status=status,
                                                   limit=limit, cursor=cursor)
    return VoucherPage(vouchers=vouchers, next_cursor=next_cursor)


@app.get("/v1/admin/properties/<property_id>/gift-products/<product_id>/vouchers/export", tags=["Gift vouchers"],
         summary="The list as CSV for Excel (UTF-8 BOM, `;`, decimal commas)",
         responses={200: {"description": "text/csv", "content": {"text/csv": {}}}})
def export_vouchers(property_id: PropertyId, product_id: ProductId) -> Response[str]:
    prop = _property(property_id)
    repositories()[1].get_product(property_id, product_id)
    body = voucher_csv.export(repositories()[1].all_vouchers(property_id, product_id, _today(prop)))
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body, headers={
        "Content-Disposition": f'attachment; filename="vouchers-{product_id}.csv"'})


@app.post("/v1/admin/properties/<property_id>/gift-products/<product_id>/vouchers/import", tags=["Gift vouchers"],
          summary="Import codes sold elsewhere (CSV body); a per-row report comes back. Re-importing changes "
                  "nothing.")
def import_vouchers(property_id: PropertyId, product_id: ProductId) -> ImportReport:
    prop = _property(property_id)
    repo = repositories()[1]
    product = repo.get_product(property_id, product_id)
    parsed = voucher_csv.parse_import(app.current_event.decoded_body or "", product, _today(prop))
    rows = [(r.row, NewVoucher(
        code=r.code, product=product, value=r.value, valid_until=r.valid_until,
        purchased_at=f"{r.purchase_date}T00:00:00Z", source="import", order_number=r.order_number,
        buyer_name=r.client, buyer_email=r.email, note="import")) for r in parsed.rows]
    outcomes = repo.import_vouchers(property_id, rows, prop.time_zone)
    report = [ImportRowReport(row=o.row, code=voucher_codes.display(o.code), status=o.status,  # type: ignore[arg-type]
                              message="this code exists with other values" if o.status == "code_taken" else None)
              for o in outcomes]
    report += [ImportRowReport.model_validate(e) for e in parsed.errors]
    report.sort(key=lambda r: r.row)
    imported = sum(1 for o in outcomes if o.status == "imported")
    metrics.add_metric(name="VouchersImported", unit=MetricUnit.Count, value=imported)
    return ImportReport(imported=imported, unchanged=sum(1 for o in outcomes if o.status == "unchanged"),
                        rejected=sum(1 for r in report if r.status in ("error", "code_taken")), rows=report)


@app.post("/v1/admin/properties/<property_id>/gift-products/<product_id>/vouchers", tags=["Gift vouchers"],
          summary="Issue a voucher without payment (a prize, a goodwill gesture)",
          responses={201: {"description": "Issued"}})
def issue_manually(property_id: PropertyId, product_id: ProductId,
                   body: Annotated[ManualIssueInput, Body()]) -> Response[Voucher]:
    prop = _property(property_id)
    repo = repositories()[1]
    product = repo.get_product(property_id, product_id)
    now = clock.now()
    today = _today(prop)
    code = voucher_codes.generate()
    new = NewVoucher(code=code, product=product, value=product.price(body.amount),
                     valid_until=body.valid_until or product.validity.end(today), purchased_at=clock.iso(now),
                     source="manual", recipient_name=body.recipient_name, recipient_email=body.recipient_email,
                     note=body.reason)
    repo.issue_one(property_id, new, prop.time_zone)
    return json_response(201, voucher_out(repo.get_voucher_item(property_id, code), today))


@app.get("/v1/admin/properties/<property_id>/vouchers/<code>", tags=["Gift vouchers"],
         summary="A voucher and its ledger")
def voucher_detail(property_id: PropertyId, code: CodePath) -> VoucherDetail:
    prop = _property(property_id)
    canonical = voucher_codes.parse(code)
    repo = repositories()[1]
    item = repo.get_voucher_item(property_id, canonical)
    entries = [LedgerEntry.model_validate(e) for e in repo.ledger(property_id, item)]
    return VoucherDetail(voucher=voucher_out(item, _today(prop)), ledger=entries,
                         ledger_sum=sum(e.amount for e in entries))


@app.patch("/v1/admin/properties/<property_id>/vouchers/<code>", tags=["Gift vouchers"],
           summary="Extend a voucher's validity")
def extend_voucher(property_id: PropertyId, code: CodePath, body: Annotated[ExtendInput, Body()]) -> Voucher:
    prop = _property(property_id)
    item = repositories()[1].extend(property_id, voucher_codes.parse(code), body.valid_until, prop.time_zone,
                                    clock.now())
    return voucher_out(item, _today(prop))


@app.post("/v1/admin/properties/<property_id>/vouchers/<code>/void", tags=["Gift vouchers"],
          summary="Void what is left of a voucher (the ledger keeps the movement)")
def void_voucher(property_id: PropertyId, code: CodePath) -> Voucher:
    prop = _property(property_id)
    canonical = voucher_codes.parse(code)
    repo = repositories()[1]
    repo.void(property_id, canonical, clock.now(), "voided by the host")
    return voucher_out(repo.get_voucher_item(property_id, canonical), _today(prop))


# ---------------------------------------------------------------- widget (anonymous)
@app.get("/v1/properties/<property_id>/gift-shop", tags=["Gift vouchers"],
         summary="The gift products on sale today, and how to pay (Stripe publishable key and Stripe.js URL)")
def gift_shop(property_id: PropertyId) -> GiftShop:
    settings = load(ShopSettings)
    prop = _property(property_id)
    today = _today(prop)
    products = [ShopProduct.model_validate(p.model_dump(mode="json"))
                for p in repositories()[1].list_products(property_id) if p.is_published(today)]
    return GiftShop(property_id=property_id, property_name=prop.name, currency=prop.currency, products=products,
                    stripe_publishable_key=settings.stripe_publishable_key, stripe_js_url=settings.stripe_js_url)


def _client_ip() -> str:
    return app.current_event.request_context.http.source_ip or "unknown"


def _guarded_voucher(property_id: str, code: str) -> dict[str, Any]:
    """The voucher and the guessing-guard counters in one BatchGetItem; an unknown code counts as a miss
    (the promo codes' guard: same counters, so guessing vouchers also blocks guessing promo codes)."""
    canonical = voucher_codes.parse(code)  # a mistyped code is refused here, before any lookup
    counters = Counters(property_id, _client_ip(), guard(), clock.now())
    return repositories()[1].find_guarded(property_id, canonical, counters)


@app.get("/v1/properties/<property_id>/vouchers/<code>", tags=["Gift vouchers"],
         summary="Balance check: status, balance and end of validity (rate-limited)",
         responses={429: {"description": "too_many_requests (Retry-After)"}})
def check_balance(property_id: PropertyId, code: CodePath) -> BalanceOut:
    item = _guarded_voucher(property_id, code)
    prop = _property(property_id)
    return BalanceOut(code=voucher_codes.display(item["code"]), status=status_of(item, _today(prop)),
                      balance=item["balance"], currency=item["currency"], valid_until=item["valid_until"],
                      kind=item["kind"], name=item["name"])


@app.get("/v1/properties/<property_id>/vouchers/<code>/print", tags=["Gift vouchers"],
         summary="The printable voucher page (HTML, print-ready)",
         responses={200: {"description": "text/html", "content": {"text/html": {}}}})
def print_voucher(property_id: PropertyId, code: CodePath,
                  lang: Annotated[Literal["fr", "en", "nl", "de"] | None, Query()] = None) -> Response[str]:
    item = _guarded_voucher(property_id, code)
    prop = _property(property_id)
    html = voucher_print.page([voucher_print.PrintableVoucher(
        kind=item["kind"], name=item["name"], code=voucher_codes.display(item["code"]),
        amount=int(item["initial_value"]), currency=item["currency"], valid_until=item["valid_until"],
        property_name=prop.name, property_website=prop.website, buyer_name=item.get("buyer_name"),
        recipient_name=item.get("recipient_name"))], lang or prop.default_language)
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=html)


# ---------------------------------------------------------------- booking engine (token)
@app.post("/v1/properties/<property_id>/vouchers/redeem", tags=["Booking engine"],
          summary="Deduct from a voucher for a booking: one transaction, never below zero, once per booking",
          responses={201: {"description": "Redeemed"}, 200: {"description": "Same booking_id again"},
                     409: {"description": "insufficient_balance, voucher_expired, voucher_void, voucher_used, "
                                          "card_value_mismatch, currency_mismatch"}})
def redeem(property_id: PropertyId, body: Annotated[RedeemRequest, Body()]) -> Response[RedemptionOut]:
    code = voucher_codes.parse(body.code)
    result = repositories()[1].redeem(property_id, body, code, clock.now())
    if not result.replayed:
        metrics.add_metric(name="VoucherRedemptions", unit=MetricUnit.Count, value=1)
    return json_response(200 if result.replayed else 201, result)


@app.delete("/v1/properties/<property_id>/vouchers/redemptions/<booking_id>", tags=["Booking engine"],
            summary="Give back what a booking took from its vouchers (cancellation)")
def release(property_id: PropertyId, booking_id: BookingId) -> Response[None]:
    repositories()[1].release(property_id, booking_id, clock.now())
    return Response(status_code=204)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
