"""Guests and bookings: the booking engine's bookings (token), the host's guest list and profiles (admin),
segments, GDPR export and erasure, and the guests' signed unsubscribe links (public)."""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import cache
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

from revenir.carts.store import CartRepository
from revenir.codes.store import PromoCodeRepository
from revenir.core import clock
from revenir.core.errors import Forbidden, InvalidInput, NotFound
from revenir.core.settings import MailSettings, load
from revenir.core.signing import Signer, decode_email
from revenir.guests.bookings import Booking, BookingInput, ManualGuestInput
from revenir.guests.guest_list import GuestFilters, guest_rows
from revenir.guests.lifecycle import LifecycleService, default_window
from revenir.guests.segments import Segment, SegmentInput
from revenir.guests.store import GuestRepository
from revenir.http.app import create_app, json_response
from revenir.http.params import BookingId, PropertyId
from revenir.reviews.store import ReviewRepository

logger = Logger(service="guests")
metrics = Metrics(namespace="Revenir", service="guests")
app = create_app()

GuestEmail = Annotated[str, Path(min_length=3, max_length=254, description="The guest's e-mail address.")]
SegmentId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


@cache
def service() -> LifecycleService:
    client, table = boto3.client("dynamodb"), load(MailSettings).table_name
    reviews = ReviewRepository(client, table)
    # every store that keeps guest data takes part in the GDPR export and erasure (revenir.guests.gdpr)
    holders = [PromoCodeRepository(client, table), CartRepository(client, table), reviews]
    return LifecycleService(GuestRepository(client, table), holders=holders, ratings=reviews)


@cache
def signer() -> Signer:
    return Signer(str(parameters.get_secret(load(MailSettings).signing_secret_name, max_age=300)))


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
def _filters(property_id: str, **given: Any) -> tuple[GuestFilters, str]:
    context = service().repository.property_context(property_id)
    time_zone = str((context.property_item or {})["time_zone"])
    start, end = default_window(time_zone)
    filters = GuestFilters(**{k: v for k, v in given.items() if v is not None})
    if filters.arrival_from is None:
        filters.arrival_from = start
    if filters.arrival_to is None:
        filters.arrival_to = end
    return filters, time_zone


class GuestPage(BaseModel):
    guests: list[dict[str, Any]]
    total: int
    next_cursor: str | None = None


@app.get("/v1/admin/properties/<property_id>/guests", tags=["Guests"],
         summary="The guest list: by default guests arriving from today to +30 days, reachable by e-mail")
def list_guests(property_id: PropertyId,
                arrival_from: Annotated[date | None, Query()] = None,
                arrival_to: Annotated[date | None, Query()] = None,
                departure_from: Annotated[date | None, Query()] = None,
                departure_to: Annotated[date | None, Query()] = None,
                created_from: Annotated[date | None, Query()] = None,
                created_to: Annotated[date | None, Query()] = None,
                updated_from: Annotated[date | None, Query()] = None,
                updated_to: Annotated[date | None, Query()] = None,
                name: Annotated[str | None, Query(max_length=100)] = None,
                booking_id: Annotated[str | None, Query(max_length=64)] = None,
                reachable: Annotated[bool, Query()] = True, checked_in: Annotated[bool | None, Query()] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 50,
                cursor: Annotated[str | None, Query(pattern=r"^[0-9]+$")] = None) -> GuestPage:
    filters, _ = _filters(property_id, arrival_from=arrival_from, arrival_to=arrival_to,
                          departure_from=departure_from, departure_to=departure_to, created_from=created_from,
                          created_to=created_to, updated_from=updated_from, updated_to=updated_to, name=name,
                          booking_id=booking_id, reachable=reachable, checked_in=checked_in)
    rows = guest_rows(service().repository, property_id, filters)
    offset = int(cursor or 0)
    page = rows[offset:offset + limit]
    next_cursor = str(offset + limit) if offset + limit < len(rows) else None
    return GuestPage(guests=page, total=len(rows), next_cursor=next_cursor)


@app.get("/v1/admin/properties/<property_id>/guests/export.csv", tags=["Guests"],
         summary="The guest list as CSV (same filters; Excel-friendly: UTF-8 with BOM, semicolons)")
def export_guests(property_id: PropertyId, arrival_from: Annotated[date | None, Query()] = None,
                  arrival_to: Annotated[date | None, Query()] = None,
                  reachable: Annotated[bool, Query()] = True) -> Response[str]:
    filters, _ = _filters(property_id, arrival_from=arrival_from, arrival_to=arrival_to, reachable=reachable)
    rows = guest_rows(service().repository, property_id, filters)
    columns = ["booking_id", "first_name", "last_name", "email", "phone", "country", "language", "arrival",
               "departure", "nights", "adults", "children", "channel", "status", "checked_in", "total", "currency",
               "reachable", "created_at", "updated_at"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=";", extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body="\ufeff" + buffer.getvalue(),
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
_PAGE = """<!doctype html><html lang="{lang}"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title><body style="font-family:system-ui;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1>{title}</h1><p>{text}</p>{form}</body></html>"""
_TEXTS = {
    "fr": ("Se désabonner", "Vous ne recevrez plus aucun e-mail de notre part à l'adresse {email}.",
           "Confirmer le désabonnement", "Vous êtes désabonné(e)."),
    "en": ("Unsubscribe", "You will no longer receive any e-mail from us at {email}.", "Confirm",
           "You are unsubscribed."),
}


def _verified_email(property_id: str, g: str | None, t: str | None) -> str:
    try:
        email = decode_email(g or "")
    except ValueError as exc:
        raise Forbidden("this unsubscribe link is not valid", code="invalid_link") from exc
    if not signer().verify(t or "", "unsubscribe", property_id, email):
        raise Forbidden("this unsubscribe link is not valid", code="invalid_link")
    return email


def _html(status: int, body: str) -> Response[str]:
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=body)


@app.get("/v1/properties/<property_id>/unsubscribe", tags=["Guests"], summary="Unsubscribe page (signed link)")
def unsubscribe_page(property_id: PropertyId, g: Annotated[str | None, Query()] = None,
                     t: Annotated[str | None, Query()] = None,
                     lang: Annotated[str, Query(pattern=r"^(fr|en)$")] = "fr") -> Response[str]:
    import html

    email = _verified_email(property_id, g, t)
    title, text, button, _ = _TEXTS[lang]
    form = (f'<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
            f'<button type="submit">{html.escape(button)}</button></form>')
    return _html(200, _PAGE.format(lang=lang, title=title, text=html.escape(text.format(email=email)), form=form))


@app.post("/v1/properties/<property_id>/unsubscribe", tags=["Guests"],
          summary="One-click unsubscribe (RFC 8058 List-Unsubscribe-Post), or the page's button")
def unsubscribe_one_click(property_id: PropertyId, g: Annotated[str | None, Query()] = None,
                          t: Annotated[str | None, Query()] = None) -> Response[str]:
    email = _verified_email(property_id, g, t)
    service().unsubscribe(property_id, email, source="link")
    metrics.add_metric(name="Unsubscribes", unit=MetricUnit.Count, value=1)
    title, _, _, done = _TEXTS["fr"]
    return _html(200, _PAGE.format(lang="fr", title=title, text=done, form=""))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


__all__ = ["NotFound", "clock"]
