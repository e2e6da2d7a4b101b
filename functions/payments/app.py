"""Payments that belong to the host (issue 17): the property's Stripe Connect onboarding and status, and pending
payments (what a guest still owes for a booking) with codes applied to them, by the host or by the guest's
signed link; `expire_due` (schedule) expires the unpaid ones. Holds the Stripe secret key: its own function.

Thin: parse (pydantic via Powertools), call revenir.connect / revenir.pending, shape the response.
"""

from __future__ import annotations

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.codes.service import PromoCodeHolds, PromoCodeService
from revenir.codes.store import PromoCodeRepository
from revenir.connect.models import ConnectedAccount, OnboardingInput, OnboardingOut, fee_basis_points
from revenir.connect.service import ConnectService
from revenir.connect.store import ConnectRepository
from revenir.connect.stripe_accounts import StripeAccounts
from revenir.core.settings import EnvironmentSettings, SigningSettings, TableSettings, load
from revenir.core.signing import Signer
from revenir.core.wiring import dependency
from revenir.guard.policy import GuardPolicy
from revenir.http.app import create_app, guard_client, json_response
from revenir.http.params import BookingId, PropertyId
from revenir.packages.orders import PackageOrderInput, PackageOrderOut, PackageOrders
from revenir.packages.store import PackageRepository
from revenir.pending.models import (
    GuestPaymentPage,
    PendingCodeInput,
    PendingCreated,
    PendingPaymentInput,
    PendingPaymentOut,
)
from revenir.pending.service import PendingPayments
from revenir.pending.store import PendingPaymentRepository
from revenir.properties.store import PropertyRepository
from revenir.sales.partner_card_store import PartnerCardRepository
from revenir.vouchers.payments import StripeGateway
from revenir.vouchers.service import VoucherService
from revenir.vouchers.store import VoucherRepository

logger = Logger(service="payments")
metrics = Metrics(namespace="Revenir", service="payments")
app = create_app()

PayToken = Annotated[str, Query(min_length=10, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                description="The guest link's signature.")]


class StripeSettings(EnvironmentSettings):
    secret_name: str = Field(alias="STRIPE_SECRET_NAME", min_length=1)
    secret_key: str | None = Field(default=None, alias="STRIPE_SECRET_KEY",
                                   description="Local runtime only: overrides the secret.")
    api_base: str | None = Field(default=None, alias="STRIPE_API_BASE", description="localstripe, locally.")


class FeeSettings(EnvironmentSettings):
    application_fee_percent: str = Field(alias="APPLICATION_FEE_PERCENT", pattern=r"^\d{1,3}(\.\d{1,2})?$")


class PageSettings(EnvironmentSettings):
    publishable_key: str = Field(alias="STRIPE_PUBLISHABLE_KEY", min_length=1)
    js_url: str = Field(alias="STRIPE_JS_URL", pattern=r"^https?://")


class GuardSettings(TableSettings):
    max_attempts_per_client: int = Field(alias="GUARD_MAX_ATTEMPTS_PER_CLIENT", ge=1)
    max_attempts_per_property: int = Field(alias="GUARD_MAX_ATTEMPTS_PER_PROPERTY", ge=1)
    window_seconds: int = Field(alias="GUARD_WINDOW_SECONDS", ge=60)


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


def _stripe_key() -> str:
    settings = load(StripeSettings)
    return settings.secret_key or str(parameters.get_secret(settings.secret_name, transform="json",
                                                            max_age=300)["secret_key"])


@dependency
def gateway() -> StripeGateway:
    return StripeGateway(_stripe_key(), load(StripeSettings).api_base)


@dependency
def connect() -> ConnectService:
    return ConnectService(ConnectRepository(_dynamodb(), load(TableSettings).table_name),
                          StripeAccounts(_stripe_key(), load(StripeSettings).api_base))


def _pending(guard: GuardPolicy | None) -> PendingPayments:
    table = load(TableSettings).table_name
    properties = PropertyRepository(_dynamodb(), table)
    return PendingPayments(PendingPaymentRepository(_dynamodb(), table), properties,
                           ConnectRepository(_dynamodb(), table),
                           fee_basis_points(load(FeeSettings).application_fee_percent),
                           VoucherService(VoucherRepository(_dynamodb(), table), properties), guard)


@dependency
def guard() -> GuardPolicy:
    settings = load(GuardSettings)
    return GuardPolicy(settings.max_attempts_per_client, settings.max_attempts_per_property, settings.window_seconds)


@dependency
def pending() -> PendingPayments:
    """The API's: codes and gift vouchers typed by hosts and guests (the guessing guard applies)."""
    return _pending(guard())


@dependency
def pending_sweep() -> PendingPayments:
    """The sweep's: gives back what expired payments held (no guard settings in its environment)."""
    return _pending(None)


@dependency
def package_orders() -> PackageOrders:
    table = load(TableSettings).table_name
    return PackageOrders(PackageRepository(_dynamodb(), table), PropertyRepository(_dynamodb(), table),
                         ConnectRepository(_dynamodb(), table),
                         fee_basis_points(load(FeeSettings).application_fee_percent))


@dependency
def codes() -> PromoCodeService:
    table = load(TableSettings).table_name
    return PromoCodeService(PromoCodeRepository(_dynamodb(), table), guard(), PartnerCardRepository(_dynamodb(), table))


@dependency
def holds() -> PromoCodeHolds:
    return PromoCodeHolds(PromoCodeRepository(_dynamodb(), load(TableSettings).table_name))


@dependency
def signer() -> Signer:
    return Signer(str(parameters.get_secret(load(SigningSettings).signing_secret_name, max_age=300)))


# ---------------------------------------------------------------- Stripe Connect (admin)
@app.post("/v1/admin/properties/<property_id>/stripe-account/onboarding", tags=["Payments"],
          summary="Connect the property's own Stripe account (Standard): creates it once, returns a fresh "
                  "onboarding link (Stripe Account Link)", responses={201: {"description": "Created"}})
def start_onboarding(property_id: PropertyId, body: Annotated[OnboardingInput, Body()]) -> Response[OnboardingOut]:
    return json_response(201, connect().start_onboarding(property_id, body))


@app.get("/v1/admin/properties/<property_id>/stripe-account", tags=["Payments"],
         summary="The property's connected Stripe account: can it take charges, is onboarding complete")
def stripe_account_status(property_id: PropertyId) -> ConnectedAccount:
    return connect().status(property_id)


# ---------------------------------------------------------------- pending payments
@app.put("/v1/properties/<property_id>/pending-payments/<booking_id>", tags=["Booking engine"],
         summary="Register what the guest still owes for a booking: a PaymentIntent on the property's account "
                 "(idempotent per booking)", responses={201: {"description": "Created"}})
def register_pending_payment(property_id: PropertyId, booking_id: BookingId,
                             body: Annotated[PendingPaymentInput, Body()]) -> Response[PendingCreated]:
    created = pending().register(gateway(), signer(), property_id, booking_id, body)
    metrics.add_metric(name="PendingPaymentsRegistered", unit=MetricUnit.Count, value=1)
    return json_response(201, created)


@app.delete("/v1/properties/<property_id>/pending-payments/<booking_id>", tags=["Booking engine"],
            summary="Withdraw a pending payment (booking cancelled or paid otherwise): the PaymentIntent is "
                    "cancelled and the code's use given back")
def cancel_pending_payment(property_id: PropertyId, booking_id: BookingId) -> PendingPaymentOut:
    return pending().cancel(gateway(), holds(), property_id, booking_id)


@app.get("/v1/admin/properties/<property_id>/pending-payments/<booking_id>", tags=["Payments"],
         summary="A booking's pending payment: amount, applied code, status")
def get_pending_payment(property_id: PropertyId, booking_id: BookingId) -> PendingPaymentOut:
    return pending().get(property_id, booking_id)


@app.post("/v1/admin/properties/<property_id>/pending-payments/<booking_id>/code", tags=["Payments"],
          summary="Apply a promo code or a gift voucher to a pending payment (the PaymentIntent's amount is "
                  "lowered on Stripe)")
def host_apply_code(property_id: PropertyId, booking_id: BookingId,
                    body: Annotated[PendingCodeInput, Body()]) -> PendingPaymentOut:
    return pending().apply_code(gateway(), codes(), property_id, booking_id, body.code, guard_client(app.current_event))


@app.delete("/v1/admin/properties/<property_id>/pending-payments/<booking_id>/code", tags=["Payments"],
            summary="Remove the applied code: the amount is restored on Stripe, the code's use given back")
def host_remove_code(property_id: PropertyId, booking_id: BookingId) -> PendingPaymentOut:
    return pending().remove_code(gateway(), holds(), property_id, booking_id)


@app.get("/v1/properties/<property_id>/pending-payments/<booking_id>/pay", tags=["Guest payment page"],
         summary="The guest's payment page data (signed link): the amount to pay now and how to pay it")
def guest_payment_page(property_id: PropertyId, booking_id: BookingId, t: PayToken) -> GuestPaymentPage:
    settings = load(PageSettings)
    return pending().page(signer(), property_id, booking_id, t, settings.publishable_key, settings.js_url)


@app.post("/v1/properties/<property_id>/pending-payments/<booking_id>/pay/code", tags=["Guest payment page"],
          summary="The guest applies a promo code or a gift voucher to what they owe (signed link)")
def guest_apply_code(property_id: PropertyId, booking_id: BookingId, t: PayToken,
                     body: Annotated[PendingCodeInput, Body()]) -> PendingPaymentOut:
    pending().check_link(signer(), property_id, booking_id, t)
    return pending().apply_code(gateway(), codes(), property_id, booking_id, body.code, guard_client(app.current_event))


@app.delete("/v1/properties/<property_id>/pending-payments/<booking_id>/pay/code", tags=["Guest payment page"],
            summary="The guest removes the code they applied (signed link)")
def guest_remove_code(property_id: PropertyId, booking_id: BookingId, t: PayToken) -> PendingPaymentOut:
    pending().check_link(signer(), property_id, booking_id, t)
    return pending().remove_code(gateway(), holds(), property_id, booking_id)


# ---------------------------------------------------------------- packages bought online
@app.post("/v1/properties/<property_id>/package-orders", tags=["Prepaid packages"],
          summary="Buy a prepaid package online: a PaymentIntent on the property's account (confirm with Stripe.js); "
                  "the package is issued and e-mailed when Stripe says it is paid",
          responses={201: {"description": "Created"}, 402: {"description": "payment_declined"}})
def create_package_order(property_id: PropertyId,
                         body: Annotated[PackageOrderInput, Body()]) -> Response[PackageOrderOut]:
    order = package_orders().place(gateway(), property_id, body)
    metrics.add_metric(name="PackageOrdersCreated", unit=MetricUnit.Count, value=1)
    return json_response(201, order.model_copy(update={"stripe_publishable_key": load(PageSettings).publishable_key}))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


@logger.inject_lambda_context
@metrics.log_metrics
def expire_due(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Every 15 minutes (EventBridge Scheduler): unpaid pending payments past their due date expire."""
    expired = pending_sweep().expire_due(gateway, holds())
    metrics.add_metric(name="PendingPaymentsExpired", unit=MetricUnit.Count, value=expired)
    return {"expired": expired}


__all__ = ["expire_due", "lambda_handler"]
