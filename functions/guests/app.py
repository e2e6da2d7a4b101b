"""Guests and bookings: the booking engine's bookings (token), the host's guest list and profiles (admin),
segments, GDPR export and erasure, and the guests' signed unsubscribe links (public)."""

from __future__ import annotations

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from revenir.campaigns.store import CampaignStore
from revenir.carts.store import CartRepository
from revenir.codes.store import PromoCodeRepository
from revenir.core.errors import InvalidInput
from revenir.core.settings import SigningSettings, TableSettings, load
from revenir.core.signing import Signer
from revenir.core.validation import Day
from revenir.core.wiring import dependency
from revenir.guests.bookings import Booking, BookingInput, ManualGuestInput
from revenir.guests.gdpr import GuestDataHolder
from revenir.guests.guest_list import GuestList
from revenir.guests.lifecycle import LifecycleService
from revenir.guests.segments import Segment, SegmentInput
from revenir.guests.store import GuestRepository
from revenir.guests.unsubscribe import UnsubscribeLinks
from revenir.http.app import create_app, json_response
from revenir.http.params import BookingId, CsvLocale, PropertyId
from revenir.mailing.store import MailingRepository
from revenir.packages.store import PackageRepository
from revenir.pending.store import PendingPaymentRepository
from revenir.reviews.store import ReviewRepository
from revenir.webhooks.store import WebhookRepository

logger = Logger(service="guests")
metrics = Metrics(namespace="Revenir", service="guests")
app = create_app()

GuestEmail = Annotated[str, Path(min_length=3, max_length=254, description="The guest's e-mail address.")]
SegmentId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def service() -> LifecycleService:
    client, table = boto3.client("dynamodb"), load(TableSettings).table_name
    reviews = ReviewRepository(client, table)
    # every store that keeps guest data takes part in the GDPR export and erasure (revenir.guests.gdpr)
    holders: list[GuestDataHolder] = [PromoCodeRepository(client, table), CartRepository(client, table), reviews,
                                      PackageRepository(client, table), PendingPaymentRepository(client, table),
                                      MailingRepository(client, table), WebhookRepository(client, table)]
    return LifecycleService(GuestRepository(client, table), holders=holders, ratings=reviews)


@dependency
def guest_list() -> GuestList:
    return GuestList(service().repository)


@dependency
def campaign_store() -> CampaignStore:
    return CampaignStore(boto3.client("dynamodb"), load(TableSettings).table_name)


@dependency
def unsubscribe_links() -> UnsubscribeLinks:
    signer = Signer(str(parameters.get_secret(load(SigningSettings).signing_secret_name, max_age=300)))
    return UnsubscribeLinks(service(), signer)


def _email(value: str) -> str:
    from urllib.parse import unquote

    from revenir.core.validation import normalize_email

    try:
        return normalize_email(unquote(value))
    except ValueError as exc:
        raise InvalidInput("not a valid e-mail address", details=[{"field": "path.email"}]) from exc


class BookingOut(Booking):
    scheduled_emails: list[dict[str, Any]] = Field(default_factory=list)


# ---------------------------------------------------------------- booking engine
@app.put("/v1/properties/<property_id>/bookings/<booking_id>", tags=["Booking engine"],
         summary="Create or update a booking (idempotent); its e-mails are scheduled, moved or withdrawn",
         responses={201: {"description": "Created"}, 200: {"description": "Updated or unchanged"}})
def put_booking(property_id: PropertyId, booking_id: BookingId,
                body: Annotated[BookingInput, Body()]) -> Response[BookingOut]:
    result = service().upsert_booking(property_id, booking_id, body)
    metrics.add_metric(name="BookingsUpserted", unit=MetricUnit.Count, value=1)
    out = BookingOut(**result.booking.model_dump(), scheduled_emails=[
        {"template_id": m["template_id"], "send_at": m["send_at"]} for m in result.scheduled])
    return json_response(201 if result.created else 200, out)


# ---------------------------------------------------------------- guests (admin)
class GuestPage(BaseModel):
    guests: list[dict[str, Any]]
    total: int
    next_cursor: str | None = None


@app.get("/v1/admin/properties/<property_id>/guests", tags=["Guests"],
         summary="The guest list: by default guests arriving from today to +30 days, reachable by e-mail")
def list_guests(property_id: PropertyId,
                arrival_from: Annotated[Day | None, Query()] = None,
                arrival_to: Annotated[Day | None, Query()] = None,
                departure_from: Annotated[Day | None, Query()] = None,
                departure_to: Annotated[Day | None, Query()] = None,
                created_from: Annotated[Day | None, Query()] = None,
                created_to: Annotated[Day | None, Query()] = None,
                updated_from: Annotated[Day | None, Query()] = None,
                updated_to: Annotated[Day | None, Query()] = None,
                name: Annotated[str | None, Query(max_length=100)] = None,
                booking_id: Annotated[str | None, Query(max_length=64)] = None,
                reachable: Annotated[bool, Query()] = True, checked_in: Annotated[bool | None, Query()] = None,
                all_arrivals: Annotated[bool, Query(description="Every arrival, past and future, instead of the "
                                                                "next 30 days (only the arrival bounds given apply)"
                                                    )] = False,
                limit: Annotated[int, Query(ge=1, le=500)] = 50,
                cursor: Annotated[str | None, Query(pattern=r"^[0-9]+$")] = None) -> GuestPage:
    rows, total, next_cursor = guest_list().page(
        property_id, limit=limit, cursor=cursor, arrival_from=arrival_from, arrival_to=arrival_to,
        departure_from=departure_from, departure_to=departure_to, created_from=created_from, created_to=created_to,
        updated_from=updated_from, updated_to=updated_to, name=name, booking_id=booking_id, reachable=reachable,
        checked_in=checked_in, all_arrivals=all_arrivals)
    return GuestPage(guests=rows, total=total, next_cursor=next_cursor)


@app.get("/v1/admin/properties/<property_id>/guests/export.csv", tags=["Guests"],
         summary="The guest list as CSV (same filters; UTF-8 with BOM, in the property's language or `locale`)")
def export_guests(property_id: PropertyId, arrival_from: Annotated[Day | None, Query()] = None,
                  arrival_to: Annotated[Day | None, Query()] = None,
                  reachable: Annotated[bool, Query()] = True,
                  all_arrivals: Annotated[bool, Query(description="Every arrival, past and future")] = False,
                  locale: CsvLocale = None) -> Response[str]:
    body = guest_list().csv_export(property_id, locale, arrival_from=arrival_from, arrival_to=arrival_to,
                                   reachable=reachable, all_arrivals=all_arrivals)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body,
                    headers={"Content-Disposition": f'attachment; filename="guests-{property_id}.csv"'})


@app.post("/v1/admin/properties/<property_id>/guests", tags=["Guests"],
          summary="Add a guest by hand (a booking with channel 'manual'; e.g. to test e-mails)")
def add_guest(property_id: PropertyId, body: Annotated[ManualGuestInput, Body()]) -> Response[BookingOut]:
    result = service().add_guest(property_id, body)
    out = BookingOut(**result.booking.model_dump(), scheduled_emails=[
        {"template_id": m["template_id"], "send_at": m["send_at"]} for m in result.scheduled])
    return json_response(201, out)


@app.get("/v1/admin/properties/<property_id>/guests/<email>", tags=["Guests"],
         summary="A guest's profile: details, bookings, e-mails and their status, activity timeline")
def guest_profile(property_id: PropertyId, email: GuestEmail) -> dict[str, Any]:
    return service().profile(property_id, _email(email))


@app.delete("/v1/admin/properties/<property_id>/guests/<email>", tags=["Guests"],
            summary="Delete a guest from the list (pending e-mails withdrawn; bookings stay)")
def delete_guest(property_id: PropertyId, email: GuestEmail) -> Response[None]:
    service().delete_guest(property_id, _email(email))
    return Response(status_code=204)


@app.post("/v1/admin/properties/<property_id>/guests/<email>/unsubscribe", tags=["Guests"],
          summary="Unsubscribe a guest from all e-mails")
def unsubscribe_guest(property_id: PropertyId, email: GuestEmail) -> Response[None]:
    service().unsubscribe(property_id, _email(email), source="host")
    return Response(status_code=204)


@app.get("/v1/admin/properties/<property_id>/guests/<email>/export", tags=["Guests"],
         summary="GDPR export: every record held about this address at the property, as JSON")
def gdpr_export(property_id: PropertyId, email: GuestEmail) -> dict[str, Any]:
    return service().export(property_id, _email(email))


@app.post("/v1/admin/properties/<property_id>/guests/<email>/erasure", tags=["Guests"],
          summary="GDPR erasure: the person's data removed everywhere; anonymous aggregates kept")
def gdpr_erase(property_id: PropertyId, email: GuestEmail) -> dict[str, int]:
    report = service().erase(property_id, _email(email))
    metrics.add_metric(name="GuestsErased", unit=MetricUnit.Count, value=1)
    return report


# ---------------------------------------------------------------- segments (admin)
@app.put("/v1/admin/properties/<property_id>/segments/<segment_id>", tags=["Segments"],
         summary="Create or replace a guest segment")
def put_segment(property_id: PropertyId, segment_id: SegmentId, body: Annotated[SegmentInput, Body()]) -> Segment:
    segment = Segment(segment_id=segment_id, **body.model_dump())
    service().repository.save_segment(property_id, segment_id, segment.model_dump(mode="json"))
    return segment


@app.get("/v1/admin/properties/<property_id>/segments", tags=["Segments"], summary="List segments")
def list_segments(property_id: PropertyId) -> dict[str, list[Segment]]:
    return {"segments": service().repository.segments(property_id)}


@app.delete("/v1/admin/properties/<property_id>/segments/<segment_id>", tags=["Segments"], summary="Delete a segment")
def delete_segment(property_id: PropertyId, segment_id: SegmentId) -> Response[None]:
    service().repository.delete_segment(property_id, segment_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- unsubscribe links (public, signed)
def _html(status: int, body: str) -> Response[str]:
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=body)


@app.get("/v1/properties/<property_id>/unsubscribe", tags=["Guests"], summary="Unsubscribe page (signed link)")
def unsubscribe_page(property_id: PropertyId, g: Annotated[str | None, Query()] = None,
                     t: Annotated[str | None, Query()] = None,
                     lang: Annotated[str | None, Query(pattern=r"^(fr|en|nl|de)$")] = None) -> Response[str]:
    return _html(*unsubscribe_links().page(property_id, g, t, lang))


@app.post("/v1/properties/<property_id>/unsubscribe", tags=["Guests"],
          summary="One-click unsubscribe (RFC 8058 List-Unsubscribe-Post), or the page's button")
def unsubscribe_one_click(property_id: PropertyId, g: Annotated[str | None, Query()] = None,
                          t: Annotated[str | None, Query()] = None,
                          lang: Annotated[str | None, Query(pattern=r"^(fr|en|nl|de)$")] = None,
                          c: Annotated[str | None, Query(max_length=64, description="The campaign whose link it "
                                                          "was (counted on its figures).")] = None) -> Response[str]:
    status, page = unsubscribe_links().unsubscribe(property_id, g, t, lang)
    if status == 200:
        metrics.add_metric(name="Unsubscribes", unit=MetricUnit.Count, value=1)
        if c:  # counted on the campaign's figures, once, and only for one of its recipients
            from revenir.campaigns.sending import record_unsubscribe  # this path only: 130 ms of imports otherwise

            record_unsubscribe(campaign_store(), property_id, c, unsubscribe_links().verified_email(property_id, g, t))
    return _html(status, page)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

