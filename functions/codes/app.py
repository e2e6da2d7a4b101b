"""Promo codes: admin CRUD, the widget's validation (anonymous), the booking engine's redemptions (token).

Thin: parse (pydantic via Powertools), call revenir.codes.service, shape the response.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from revenir.codes.models import (
    MoneyOut,
    PromoCode,
    PromoCodeInput,
    PromoCodeUpdate,
    RedeemRequest,
    ValidateRequest,
    ValidateResponse,
)
from revenir.codes.service import PromoCodeAdmin, PromoCodeHolds, PromoCodeService
from revenir.codes.store import PromoCodeRepository, Redemption
from revenir.codes.usage import UsageReport
from revenir.core.settings import TableSettings, load
from revenir.core.wiring import dependency
from revenir.guard.policy import GuardPolicy
from revenir.http.app import JSON, create_app, guard_client, json_response
from revenir.http.params import BookingId, CsvLocale, PropertyId
from revenir.sales.partner_card_store import PartnerCardRepository

logger = Logger(service="codes")
metrics = Metrics(namespace="Revenir", service="codes")
app = create_app()

PromoId = Annotated[str, Path(pattern=r"^pc_[0-9a-z]{26}$")]


class GuardSettings(TableSettings):
    max_attempts_per_client: int = Field(alias="GUARD_MAX_ATTEMPTS_PER_CLIENT", ge=1)
    max_attempts_per_property: int = Field(alias="GUARD_MAX_ATTEMPTS_PER_PROPERTY", ge=1)
    window_seconds: int = Field(alias="GUARD_WINDOW_SECONDS", ge=60)


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


@dependency
def admin() -> PromoCodeAdmin:
    return PromoCodeAdmin(PromoCodeRepository(_dynamodb(), load(TableSettings).table_name))


@dependency
def holds() -> PromoCodeHolds:
    return PromoCodeHolds(PromoCodeRepository(_dynamodb(), load(TableSettings).table_name))


@dependency
def service() -> PromoCodeService:
    """Validation and redemptions: the guessing guard's settings too."""
    settings = load(GuardSettings)
    policy = GuardPolicy(settings.max_attempts_per_client, settings.max_attempts_per_property,
                         settings.window_seconds)
    return PromoCodeService(PromoCodeRepository(_dynamodb(), settings.table_name), policy,
                            PartnerCardRepository(_dynamodb(), settings.table_name))


class PromoCodePage(BaseModel):
    promo_codes: list[PromoCode]
    next_cursor: str | None = None


class RedemptionOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    booking_id: str
    code: str
    status: str = Field(description="held (while the guest pays) or confirmed")
    discount: MoneyOut
    lines: list[dict[str, Any]]
    hold_expires_at: str | None = None


def _redemption(r: Redemption) -> RedemptionOut:
    return RedemptionOut.model_validate(r.__dict__)


def _client_ip() -> str:
    return guard_client(app.current_event)


# ---------------------------------------------------------------- admin
@app.post("/v1/admin/properties/<property_id>/promo-codes", tags=["Promo codes"], summary="Create a promo code",
          responses={201: {"description": "Created"}, 409: {"description": "code_in_use, name_taken"}})
def create_promo_code(property_id: PropertyId, body: Annotated[PromoCodeInput, Body()]) -> Response[PromoCode]:
    promo = admin().create(property_id, body)
    metrics.add_metric(name="PromoCodesCreated", unit=MetricUnit.Count, value=1)
    return json_response(201, promo)


@app.get("/v1/admin/properties/<property_id>/promo-codes", tags=["Promo codes"], summary="List promo codes")
def list_promo_codes(property_id: PropertyId, limit: Annotated[int, Query(ge=1, le=100)] = 50,
                     cursor: Annotated[str | None, Query()] = None) -> PromoCodePage:
    promos, next_cursor = admin().page(property_id, limit, cursor)
    return PromoCodePage(promo_codes=promos, next_cursor=next_cursor)


@app.get("/v1/admin/properties/<property_id>/promo-codes/export.csv", tags=["Promo codes"],
         summary="Every promo code as CSV (UTF-8 with BOM, in the property's language or `locale`)",
         responses={200: {"description": "text/csv", "content": {"text/csv": {}}}})
def export_promo_codes(property_id: PropertyId, locale: CsvLocale = None) -> Response[str]:
    body = admin().export_csv(property_id, locale)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body,
                    headers={"Content-Disposition": f'attachment; filename="promo-codes-{property_id}.csv"'})


@app.get("/v1/admin/properties/<property_id>/promo-codes/<promo_id>", tags=["Promo codes"],
         summary="Read a promo code")
def get_promo_code(property_id: PropertyId, promo_id: PromoId) -> PromoCode:
    return admin().get(property_id, promo_id)


@app.patch("/v1/admin/properties/<property_id>/promo-codes/<promo_id>", tags=["Promo codes"],
           summary="Change a promo code (any field but the code string)")
def update_promo_code(property_id: PropertyId, promo_id: PromoId,
                      body: Annotated[PromoCodeUpdate, Body()]) -> PromoCode:
    return admin().update(property_id, promo_id, body)


@app.delete("/v1/admin/properties/<property_id>/promo-codes/<promo_id>", tags=["Promo codes"],
            summary="Archive a promo code (it stops working; its history stays)")
def archive_promo_code(property_id: PropertyId, promo_id: PromoId) -> Response[None]:
    admin().archive(property_id, promo_id)
    return Response(status_code=204)


@app.get("/v1/admin/properties/<property_id>/promo-codes/<promo_id>/sent-to", tags=["Promo codes"],
         summary="Guests the code was sent to")
def promo_code_sent_to(property_id: PropertyId, promo_id: PromoId) -> dict[str, list[dict[str, Any]]]:
    return {"sent_to": admin().sent_to(property_id, promo_id)}


@app.get("/v1/admin/properties/<property_id>/promo-codes/<promo_id>/usage", tags=["Promo codes"],
         summary="The bookings that used the code, newest first, with totals over the period")
def promo_code_usage(property_id: PropertyId, promo_id: PromoId,
                     date_from: Annotated[date | None, Query(description="First local day (inclusive)")] = None,
                     date_to: Annotated[date | None, Query(description="Last local day (inclusive)")] = None,
                     limit: Annotated[int, Query(ge=1, le=100)] = 50,
                     cursor: Annotated[str | None, Query(max_length=400)] = None) -> UsageReport:
    report, _ = admin().usage(property_id, promo_id, date_from, date_to, limit, cursor)
    return report


@app.get("/v1/admin/properties/<property_id>/promo-codes/<promo_id>/usage.csv", tags=["Promo codes"],
         summary="The code's usage as CSV (UTF-8 with BOM, in the property's language or `locale`)",
         responses={200: {"description": "text/csv", "content": {"text/csv": {}}}})
def promo_code_usage_csv(property_id: PropertyId, promo_id: PromoId,
                         date_from: Annotated[date | None, Query()] = None,
                         date_to: Annotated[date | None, Query()] = None, locale: CsvLocale = None) -> Response[str]:
    body = admin().usage_csv(property_id, promo_id, date_from, date_to, locale)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body, headers={
        "Content-Disposition": f'attachment; filename="promo-code-usage-{promo_id}.csv"'})


# ---------------------------------------------------------------- widget (anonymous)
@app.post("/v1/properties/<property_id>/codes/validate", tags=["Booking widget"],
          summary="Validate a code against a basket and price it",
          responses={200: {"description": "The evaluation: valid or the reason, and the priced basket"},
                     429: {"description": "too_many_requests (Retry-After)"}})
def validate_code(property_id: PropertyId, body: Annotated[ValidateRequest, Body()]) -> ValidateResponse:
    evaluation = service().validate(property_id, body, _client_ip())
    metrics.add_metric(name="CodeValidations", unit=MetricUnit.Count, value=1)
    return evaluation.response()


class WidgetSettings(BaseModel):
    language: str = Field(description="The property's language (ISO 639-1): the widget's texts when the page sets "
                                      "no language it speaks")


@app.get("/v1/properties/<property_id>/widget", tags=["Booking widget"],
         summary="What the booking widget needs before a code is typed: the property's language (cached 5 minutes)")
def widget_settings(property_id: PropertyId) -> Response[WidgetSettings]:
    settings = WidgetSettings(language=admin().language(property_id))
    return Response(status_code=200, content_type=JSON, body=settings,
                    headers={"Cache-Control": "public, max-age=300"})


@app.get("/v1/properties/<property_id>/promo-codes/public", tags=["Booking widget"],
         summary="Codes the host made public and currently publishes")
def public_promo_codes(property_id: PropertyId) -> dict[str, list[dict[str, Any]]]:
    return {"promo_codes": admin().public(property_id)}


# ---------------------------------------------------------------- booking engine (token)
@app.post("/v1/properties/<property_id>/redemptions", tags=["Booking engine"],
          summary="Use a code for a booking (idempotent per booking_id)",
          responses={201: {"description": "Redeemed"}, 200: {"description": "Same booking_id again"},
                     409: {"description": "The reason the code cannot be used, as error code"}})
def redeem_code(property_id: PropertyId, body: Annotated[RedeemRequest, Body()]) -> Response[RedemptionOut]:
    redemption = service().redeem(property_id, body, _client_ip())
    if not redemption.replayed:
        metrics.add_metric(name="CodeRedemptions", unit=MetricUnit.Count, value=1)
    return json_response(200 if redemption.replayed else 201, _redemption(redemption))


@app.post("/v1/properties/<property_id>/redemptions/<booking_id>/confirm", tags=["Booking engine"],
          summary="Make a held use final once the payment succeeded")
def confirm_redemption(property_id: PropertyId, booking_id: BookingId) -> RedemptionOut:
    return _redemption(holds().confirm(property_id, booking_id))


@app.delete("/v1/properties/<property_id>/redemptions/<booking_id>", tags=["Booking engine"],
            summary="Give the use back (booking cancelled, payment failed or abandoned)")
def release_redemption(property_id: PropertyId, booking_id: BookingId) -> Response[None]:
    holds().release(property_id, booking_id)
    return Response(status_code=204)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


@logger.inject_lambda_context
@metrics.log_metrics
def sweep_expired_holds(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Scheduled every minute (EventBridge Scheduler): give back the uses of expired holds."""
    released = holds().sweep_expired_holds()
    metrics.add_metric(name="ExpiredHoldsReleased", unit=MetricUnit.Count, value=released)
    return {"released": released}
