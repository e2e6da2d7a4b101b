"""Reviews: the host's list, replies, notes, alerts settings and export imports (admin); the public summary for
the host's site and the guest's review form (signed link from the post-stay e-mail); and the scheduled ingestion
(`ingest_reviews`: Google Business Profile, then the host alerts due)."""

from __future__ import annotations

import time
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from revenir.core.settings import EnvironmentSettings, SigningSettings, TableSettings, load
from revenir.core.signing import Signer
from revenir.core.validation import Day
from revenir.core.wiring import dependency
from revenir.http.app import JSON, create_app, json_response
from revenir.http.params import CsvLocale, PropertyId
from revenir.mail.sender import SesMailer
from revenir.reviews.models import (
    NoteInput,
    ReplyInput,
    ReviewFormInput,
    ReviewImportReport,
    ReviewOut,
    ReviewPage,
    ReviewSettings,
    ReviewSettingsInput,
    ReviewSummary,
    review_out,
)
from revenir.reviews.service import ReviewService
from revenir.reviews.sources import GoogleAuth, GoogleCredentials
from revenir.reviews.store import ReviewRepository

logger = Logger(service="reviews")
metrics = Metrics(namespace="Revenir", service="reviews")
app = create_app()

ReviewId = Annotated[str, Path(pattern=r"^rv_[a-z]+_[0-9a-f]{24}$")]
ImportSource = Annotated[str, Path(pattern=r"^(booking|airbnb)$", description="booking or airbnb")]


class SesSettings(EnvironmentSettings):
    configuration_set: str | None = Field(default=None, alias="MAIL_CONFIGURATION_SET")


class BackOfficeSettings(EnvironmentSettings):
    """Where the host reads a review: the alert e-mail links to it (no link when unset)."""

    back_office_url: str | None = Field(default=None, alias="BACK_OFFICE_URL", pattern=r"^https?://")


class GoogleSettings(EnvironmentSettings):
    google_secret_name: str = Field(alias="GOOGLE_SECRET_NAME", min_length=1)


# ---------------------------------------------------------------- dependencies, built at first use
@dependency
def wiring() -> tuple[ReviewRepository, ReviewService]:
    repository = ReviewRepository(boto3.client("dynamodb"), load(TableSettings).table_name)
    return repository, ReviewService(repository)


@dependency
def mailer() -> SesMailer:
    return SesMailer(boto3.client("sesv2"), load(SesSettings).configuration_set)


@dependency
def signer() -> Signer:
    return Signer(str(parameters.get_secret(load(SigningSettings).signing_secret_name, max_age=300)))


_GOOGLE: dict[str, Any] = {"until": 0.0, "auth": None}
GOOGLE_TTL = 300.0


def google() -> GoogleAuth | None:
    """Google's OAuth client from Secrets Manager, re-read every 5 minutes. A missing or empty (`{}`) secret means
    Google is not configured: ingestion skips it, replies to Google reviews are stored but not posted."""
    if time.monotonic() < _GOOGLE["until"]:
        return _GOOGLE["auth"]  # type: ignore[no-any-return]
    auth: GoogleAuth | None = None
    try:
        value = parameters.get_secret(load(GoogleSettings).google_secret_name, force_fetch=True)
        credentials = GoogleCredentials.from_secret(value if isinstance(value, (str, bytes)) else None)
        if credentials is not None:
            previous = _GOOGLE["auth"]
            auth = previous if previous is not None and previous.credentials == credentials else GoogleAuth(credentials)
    except parameters.exceptions.GetParameterError:
        logger.info("no Google credentials: Google reviews are skipped")
    except ValueError as exc:
        logger.error("the Google secret is not usable", extra={"error": str(exc)})
    _GOOGLE.update(until=time.monotonic() + GOOGLE_TTL, auth=auth)
    return auth


def forget_google() -> None:
    """Read the Google secret again at the next call (after rotating it; tests)."""
    _GOOGLE.update(until=0.0, auth=None)


def _alerts() -> dict[str, int]:
    from revenir.reviews.alerts import send_due_alerts

    report = send_due_alerts(wiring()[0], mailer(), back_office_url=load(BackOfficeSettings).back_office_url)
    if report["sent"]:
        metrics.add_metric(name="ReviewAlertsSent", unit=MetricUnit.Count, value=report["sent"])
    return report


# ---------------------------------------------------------------- public: the host's site and the guest's form
@app.get("/v1/properties/<property_id>/reviews/summary", tags=["Reviews"],
         summary="Average, count, per category and per source, star distribution and the latest reviews "
                 "(for the host's own site; cached 5 minutes)")
def review_summary(property_id: PropertyId,
                   latest: Annotated[int, Query(ge=0, le=20)] = 5) -> Response[ReviewSummary]:
    summary = wiring()[1].summary(property_id, latest)
    return Response(status_code=200, content_type=JSON, body=summary,
                    headers={"Cache-Control": "public, max-age=300"})


@app.post("/v1/properties/<property_id>/reviews", tags=["Reviews"],
          summary="A guest's review from the form: the signed token of the post-stay e-mail; once per booking",
          responses={201: {"description": "Received"}})
def submit_review(property_id: PropertyId, body: Annotated[ReviewFormInput, Body()]) -> Response[ReviewOut]:
    review = wiring()[1].submit_form(signer(), property_id, body)
    metrics.add_metric(name="ReviewsSubmitted", unit=MetricUnit.Count, value=1)
    if review.alert == "queued":
        _alerts()
    return json_response(201, review)


@app.get("/v1/properties/<property_id>/reviews/form", tags=["Reviews"],
         summary="The review form a guest opens from the post-stay e-mail (HTML; b = booking id, t = signed token)")
def review_form(property_id: PropertyId, b: Annotated[str, Query(max_length=64)] = "",
                t: Annotated[str, Query(max_length=64)] = "",
                lang: Annotated[str | None, Query(pattern=r"^(fr|en|nl|de)$")] = None) -> Response[str]:
    status, page = wiring()[1].form_page(signer(), property_id, b, t, lang)
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} if status == 200 else None
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=page, headers=headers)


# ---------------------------------------------------------------- admin
@app.get("/v1/admin/properties/<property_id>/reviews", tags=["Reviews"],
         summary="Reviews, newest first, filtered by source, rating (0–5), answered or not, and period")
def list_reviews(property_id: PropertyId,
                 source: Annotated[str | None, Query(pattern=r"^(google|booking|airbnb|direct)$")] = None,
                 min_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
                 max_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
                 answered: Annotated[bool | None, Query()] = None,
                 created_from: Annotated[Day | None, Query(alias="from")] = None,
                 created_to: Annotated[Day | None, Query(alias="to")] = None,
                 limit: Annotated[int, Query(ge=1, le=100)] = 25,
                 cursor: Annotated[str | None, Query(max_length=600)] = None) -> ReviewPage:
    reviews, next_cursor = wiring()[1].list(
        property_id, source=source, min_rating=min_rating, max_rating=max_rating, answered=answered,
        created_from=created_from, created_to=created_to, limit=limit, cursor=cursor)
    return ReviewPage(reviews=reviews, next_cursor=next_cursor)


@app.get("/v1/admin/properties/<property_id>/reviews/export.csv", tags=["Reviews"],
         summary="Reviews as CSV (the list's filters; UTF-8 with BOM, in the property's language or `locale`)",
         responses={200: {"description": "text/csv", "content": {"text/csv": {}}}})
def export_reviews(property_id: PropertyId,
                   source: Annotated[str | None, Query(pattern=r"^(google|booking|airbnb|direct)$")] = None,
                   min_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
                   max_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
                   answered: Annotated[bool | None, Query()] = None,
                   created_from: Annotated[Day | None, Query(alias="from")] = None,
                   created_to: Annotated[Day | None, Query(alias="to")] = None,
                   locale: CsvLocale = None) -> Response[str]:
    body = wiring()[1].export_csv(property_id, locale, source=source, min_rating=min_rating, max_rating=max_rating,
                                  answered=answered, created_from=created_from, created_to=created_to)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body,
                    headers={"Content-Disposition": f'attachment; filename="reviews-{property_id}.csv"'})


@app.get("/v1/admin/properties/<property_id>/reviews/<review_id>", tags=["Reviews"], summary="One review")
def get_review(property_id: PropertyId, review_id: ReviewId) -> ReviewOut:
    return review_out(wiring()[1].get(property_id, review_id))


@app.put("/v1/admin/properties/<property_id>/reviews/<review_id>/reply", tags=["Reviews"],
         summary="Reply: posted back where the source allows (Google), stored everywhere; reply.status says which")
def reply_to_review(property_id: PropertyId, review_id: ReviewId,
                    body: Annotated[ReplyInput, Body()]) -> ReviewOut:
    review = wiring()[1].reply(property_id, review_id, body.text, google)
    metrics.add_metric(name="ReviewReplies", unit=MetricUnit.Count, value=1)
    return review


@app.put("/v1/admin/properties/<property_id>/reviews/<review_id>/note", tags=["Reviews"],
         summary="The host's private note on a review (never shown to guests); empty text clears it")
def note_review(property_id: PropertyId, review_id: ReviewId, body: Annotated[NoteInput, Body()]) -> ReviewOut:
    return wiring()[1].note(property_id, review_id, body.text)


@app.post("/v1/admin/properties/<property_id>/reviews/imports/<source>", tags=["Reviews"],
          summary="Import a Booking.com or Airbnb review export (the file as the body: CSV or JSON); a per-row "
                  "report comes back. Re-importing the same file changes nothing; edited reviews update.")
def import_reviews(property_id: PropertyId, source: ImportSource) -> ReviewImportReport:
    report = wiring()[1].import_export(property_id, source, app.current_event.decoded_body or "")
    metrics.add_metric(name="ReviewsImported", unit=MetricUnit.Count, value=report.created + report.updated)
    if report.alerts_queued:
        _alerts()
    return report


@app.get("/v1/admin/properties/<property_id>/review-settings", tags=["Reviews"],
         summary="Review sources and alerts: Google location, alert threshold (default 3/5) and address")
def get_review_settings(property_id: PropertyId) -> ReviewSettings:
    return wiring()[1].settings(property_id)


@app.put("/v1/admin/properties/<property_id>/review-settings", tags=["Reviews"],
         summary="Set the review sources and alerts")
def put_review_settings(property_id: PropertyId, body: Annotated[ReviewSettingsInput, Body()]) -> ReviewSettings:
    return wiring()[1].put_settings(property_id, body.model_dump(mode="json"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# ---------------------------------------------------------------- ingestion (EventBridge Scheduler)
@logger.inject_lambda_context
@metrics.log_metrics
def ingest_reviews(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Every 30 minutes: Google reviews of each configured property (new and edited), then the due alerts."""
    report = wiring()[1].sync_google(google())
    for failure in report["failed"]:
        logger.warning("Google sync failed", extra=failure)
    if report["created"] or report["updated"]:
        metrics.add_metric(name="ReviewsIngested", unit=MetricUnit.Count, value=report["created"] + report["updated"])
    report["alerts"] = _alerts()
    logger.info("reviews ingested", extra={"report": {k: v for k, v in report.items() if k != "failed"}})
    return report

