"""Reviews use cases: ingest from any source (schedule, import, form), reply, note, summary, host alerts.

Handlers call one method each; the repository and the adapters are injected (no boto3 here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from revenir.core import clock
from revenir.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RevenirError
from revenir.core.signing import Signer
from revenir.reviews.models import (
    SOURCE_LABELS,
    ReviewFormInput,
    ReviewImportReport,
    ReviewOut,
    ReviewRecord,
    ReviewSettings,
    ReviewSummary,
    at_or_below,
    delta,
    public_review,
    record_contribution,
    review_out,
    stored_contribution,
    summarise,
)
from revenir.reviews.sources import (
    DirectFormSource,
    ExportSource,
    GoogleAuth,
    GoogleBusinessProfile,
    SourceError,
)
from revenir.reviews.store import ListFilters, ReviewRepository, WriteConflict
from revenir.table.dynamodb import Item

DEFAULT_THRESHOLD = 3.0
ALERT_LEASE = timedelta(minutes=10)
MAX_ALERT_ATTEMPTS = 5
#: The review export's columns (headers: the `csv` catalog, `csv.reviews.<column>`).
REVIEW_CSV_COLUMNS = ("review_id", "created_at", "source", "rating", "rating_original", "author", "title", "text",
                      "language", "booking_id", "replied", "reply")


@dataclass
class IngestCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    alerts_queued: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def settings_of(property_id: str, item: Item | None) -> ReviewSettings:
    return ReviewSettings.model_validate({"property_id": property_id, **(item or {})})


class ReviewService:
    def __init__(self, repository: ReviewRepository):
        self.repository = repository

    # ------------------------------------------------------------------ ingestion (every source)
    def upsert(self, property_id: str, record: ReviewRecord, settings: ReviewSettings, *,
               must_be_new: bool = False, attempts: int = 10) -> tuple[str, bool]:
        """("created" | "updated" | "unchanged", alert queued). Idempotent by (source, source id): a repeat reads
        one item and writes nothing; an edit moves the counters by the difference, once."""
        for _ in range(attempts):
            previous = self.repository.get(property_id, record.review_id)
            if previous is not None and must_be_new:
                raise Conflict("a review was already received for this stay", code="review_already_submitted")
            if previous is not None:
                if previous.get("fingerprint") == record.fingerprint():
                    return "unchanged", False
                seen, given = previous.get("source_updated_at"), record.source_updated_at
                if seen and given and given < seen:
                    return "unchanged", False  # an older export than what we hold: never go back in time
            counters = delta(stored_contribution(previous), record_contribution(record))
            queue_alert = (settings.alerts_enabled and at_or_below(record.rating, settings.alert_threshold)
                           and not (previous or {}).get("alert"))
            try:
                self.repository.save(property_id, record, previous, clock.iso(clock.now()), counters, queue_alert)
            except WriteConflict:
                if must_be_new:
                    raise Conflict("a review was already received for this stay",
                                   code="review_already_submitted") from None
                continue  # someone else changed it: read again, the fingerprint decides
            return ("updated" if previous else "created"), queue_alert
        raise Conflict("the review kept changing while saving: try again", code="concurrent_change")

    def ingest(self, property_id: str, records: Iterable[ReviewRecord], settings: ReviewSettings | None = None
               ) -> IngestCounts:
        settings = settings or settings_of(property_id, self.repository.meta(property_id)[0])
        counts = IngestCounts()
        for record in records:
            outcome, queued = self.upsert(property_id, record, settings)
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            counts.alerts_queued += int(queued)
        return counts

    def import_export(self, property_id: str, source: str, text: str) -> ReviewImportReport:
        if not text.strip():
            raise InvalidInput("send the export file as the request body", code="empty_file")
        self._require_property(property_id)
        export = ExportSource(source, text)
        try:
            counts = self.ingest(property_id, export.reviews())
        except ValueError as exc:  # the file as a whole (bad JSON, not a list)
            raise InvalidInput(f"the export cannot be read: {exc}", code="invalid_export") from exc
        return ReviewImportReport.model_validate({
            "source": source, "received": export.received, "created": counts.created, "updated": counts.updated,
            "unchanged": counts.unchanged, "rejected": export.rejected, "alerts_queued": counts.alerts_queued})

    def sync_google(self, auth: GoogleAuth | None) -> dict[str, Any]:
        """The schedule: every property with a Google location, from the last sync's newest change."""
        report: dict[str, Any] = {"properties": 0, "skipped": 0, "created": 0, "updated": 0, "unchanged": 0,
                                  "alerts_queued": 0, "failed": []}
        for item in self.repository.google_properties():
            settings = settings_of(item["property_id"], item)
            if auth is None or not settings.google_location:
                report["skipped"] += 1
                continue
            report["properties"] += 1
            source = GoogleBusinessProfile(auth, settings.google_location)
            newest = settings.google_synced_until
            try:
                records = list(source.reviews(since=settings.google_synced_until))
                counts = self.ingest(settings.property_id, records, settings)
            except (SourceError, Conflict) as exc:
                report["failed"].append({"property_id": settings.property_id, "error": str(exc)})
                continue
            for record in records:
                stamp = record.source_updated_at or record.created_at
                newest = max(newest or stamp, stamp)
            if newest and newest != settings.google_synced_until:
                self.repository.set_google_cursor(settings.property_id, newest)
            for name in ("created", "updated", "unchanged", "alerts_queued"):
                report[name] += getattr(counts, name)
        return report

    # ------------------------------------------------------------------ our own form
    def submit_form(self, signer: Signer, property_id: str, body: ReviewFormInput) -> ReviewOut:
        if not signer.verify(body.token, "review", property_id, body.booking_id):
            raise Forbidden("this review link is not valid", code="invalid_review_token")
        booking = self.repository.booking(property_id, body.booking_id)
        if booking is None:
            raise NotFound("no such stay", code="booking_not_found")
        self.check_reviewable(property_id, booking)
        categories = {str(k): v for k, v in body.categories.items()}
        source = DirectFormSource(booking, body.rating, categories, clock.iso(clock.now()), title=body.title,
                                  text=body.text, language=body.language)
        record = next(source.reviews())
        settings = settings_of(property_id, self.repository.meta(property_id)[0])
        self.upsert(property_id, record, settings, must_be_new=True)
        return review_out(self.repository.get(property_id, record.review_id) or {})

    def check_reviewable(self, property_id: str, booking: Item) -> None:
        if booking.get("status") == "cancelled":
            raise Conflict("this stay was cancelled", code="booking_cancelled")
        prop = self._require_property(property_id)
        if str(clock.local_today(prop["time_zone"])) < str(booking["arrival"]):
            raise Conflict("a stay can be reviewed once it has started", code="stay_not_started")

    def form_state(self, signer: Signer, property_id: str, booking_id: str, token: str) -> tuple[Item, Item, bool]:
        """(property, booking, already reviewed) for the form page; the same refusals as the POST."""
        if not signer.verify(token, "review", property_id, booking_id):
            raise Forbidden("this review link is not valid", code="invalid_review_token")
        booking = self.repository.booking(property_id, booking_id)
        if booking is None:
            raise NotFound("no such stay", code="booking_not_found")
        self.check_reviewable(property_id, booking)
        from revenir.reviews.models import review_id

        done = self.repository.get(property_id, review_id("direct", booking_id)) is not None
        return self._require_property(property_id), booking, done

    def form_page(self, signer: Signer, property_id: str, booking_id: str, token: str, lang: str | None
                  ) -> tuple[int, str]:
        """(status, HTML) of the form page: the form, "already reviewed", or the refusal as a page."""
        from revenir.reviews import form_page

        try:
            prop, booking, done = self.form_state(signer, property_id, booking_id, token)
        except RevenirError as exc:
            known = self.repository.property_item(property_id) if lang is None else None
            chosen = form_page.language(lang, (known or {}).get("default_language"))
            return exc.status, form_page.error(exc.code, chosen)
        language = form_page.language(lang, booking.get("language"), prop.get("default_language"))
        if done:
            return 200, form_page.done(prop, language)
        return 200, form_page.form(property_id, prop, booking, token, language)

    # ------------------------------------------------------------------ admin
    def get(self, property_id: str, rid: str) -> Item:
        item = self.repository.get(property_id, rid)
        if item is None:
            raise NotFound("no such review", code="review_not_found")
        return item

    def list(self, property_id: str, *, source: str | None = None, min_rating: float | None = None,
             max_rating: float | None = None, answered: bool | None = None, created_from: date | None = None,
             created_to: date | None = None, limit: int = 25, cursor: str | None = None
             ) -> tuple[list[ReviewOut], str | None]:
        """Newest first; ratings on the 0–5 scale, the period in whole days (both ends included)."""
        if created_from and created_to and created_to < created_from:
            raise InvalidInput("`to` is before `from`", details=[{"field": "query.to"}])
        filters = ListFilters(
            source=source, answered=answered,
            min_rating=round(min_rating * 100) if min_rating is not None else None,
            max_rating=round(max_rating * 100) if max_rating is not None else None,
            created_from=f"{created_from}T00:00:00Z" if created_from else None,
            created_to=f"{created_to + timedelta(days=1)}T00:00:00Z" if created_to else None)
        items, next_cursor = self.repository.page(property_id, filters, limit, cursor)
        return [review_out(i) for i in items], next_cursor

    def export_csv(self, property_id: str, locale: str | None = None, **given: Any) -> str:
        """Every review matching the list's filters, newest first, as CSV in the property's language or `locale`
        (ratings on the 0–5 scale with the language's decimal mark)."""
        from revenir.i18n import csv_export
        from revenir.i18n.formats import format_number

        prop = self._require_property(property_id)
        lang = csv_export.language(locale, prop.get("default_language"))
        reviews: list[ReviewOut] = []
        cursor: str | None = None
        while True:
            page, cursor = self.list(property_id, limit=100, cursor=cursor, **given)
            reviews += page
            if cursor is None:
                break
        rows = ([r.review_id, r.created_at[:16].replace("T", " "), SOURCE_LABELS.get(r.source, r.source),
                 format_number(r.rating, lang), r.rating_original, r.author, r.title, r.text, r.language,
                 r.booking_id, r.answered, r.reply.text if r.reply else None] for r in reviews)
        return csv_export.write("reviews", REVIEW_CSV_COLUMNS, rows, lang)

    def reply(self, property_id: str, rid: str, text: str,
              google: Callable[[], GoogleAuth | None]) -> ReviewOut:
        """Stored everywhere; posted back where the source allows (Google). A failed post is kept and reported."""
        item = self.get(property_id, rid)
        status, error = "stored_only", None
        if item["source"] == "direct":
            status = "published"  # shown with the review on the host's own site (public summary)
        elif item["source"] == "google":
            settings = settings_of(property_id, self.repository.meta(property_id)[0])
            auth = google()
            try:
                if auth is None or not settings.google_location:
                    raise SourceError("Google is not configured for this property")
                GoogleBusinessProfile(auth, settings.google_location).post_reply(str(item.get("source_ref")), text)
                status = "posted"
            except SourceError as exc:
                status, error = "failed", str(exc)
        reply = {"text": text, "at": clock.iso(clock.now()), "status": status, **({"error": error} if error else {})}
        updated = self.repository.set_host_fields(property_id, rid, reply=reply)
        if updated is None:
            raise NotFound("no such review", code="review_not_found")
        return review_out(updated)

    def note(self, property_id: str, rid: str, text: str) -> ReviewOut:
        note = {"text": text, "at": clock.iso(clock.now())} if text else None
        updated = self.repository.set_host_fields(property_id, rid, note=note)
        if updated is None:
            raise NotFound("no such review", code="review_not_found")
        return review_out(updated)

    def settings(self, property_id: str) -> ReviewSettings:
        self._require_property(property_id)
        return settings_of(property_id, self.repository.meta(property_id)[0])

    def put_settings(self, property_id: str, data: dict[str, Any]) -> ReviewSettings:
        self._require_property(property_id)
        previous = self.repository.meta(property_id)[0] or {}
        keep = previous.get("google_synced_until") if previous.get("google_location") == data.get(
            "google_location") else None
        stored = {**data, "google_synced_until": keep, "updated_at": clock.iso(clock.now())}
        self.repository.put_settings(property_id, stored)
        return settings_of(property_id, stored)

    # ------------------------------------------------------------------ public
    def summary(self, property_id: str, latest: int = 5) -> ReviewSummary:
        prop = self._require_property(property_id)
        _, counters = self.repository.meta(property_id)
        items = self.repository.latest(property_id, latest) if latest else []
        return ReviewSummary(property_id=property_id, language=prop.get("default_language"),
                             **summarise(counters or {}),
                             latest=[public_review(i) for i in items])

    def _require_property(self, property_id: str) -> Item:
        prop = self.repository.property_item(property_id)
        if prop is None:
            raise NotFound(f"property {property_id!r} does not exist", code="property_not_found")
        return prop
