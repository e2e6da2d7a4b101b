"""Reviews: the host's list, replies, notes, alerts settings and export imports (admin); the public summary for
the host's site and the guest's review form (signed link from the post-stay e-mail); and the scheduled ingestion
(`ingest_reviews`: Google Business Profile, then the host alerts due)."""

from __future__ import annotations

import html
import json
import time
from datetime import date, timedelta
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
from pydantic import Field

from revenir.core import clock
from revenir.core.errors import InvalidInput, RevenirError
from revenir.core.settings import MailSettings, load
from revenir.core.signing import Signer
from revenir.http.app import JSON, create_app, json_response
from revenir.http.params import PropertyId
from revenir.mail.sender import SesMailer
from revenir.reviews.models import (
    CATEGORIES,
    FORM_CATEGORIES,
    ImportReport,
    NoteInput,
    ReplyInput,
    ReviewFormInput,
    ReviewOut,
    ReviewPage,
    ReviewSettings,
    ReviewSettingsInput,
    ReviewSummary,
)
from revenir.reviews.service import ReviewService
from revenir.reviews.sources import GoogleAuth, GoogleCredentials
from revenir.reviews.store import ListFilters, ReviewRepository

logger = Logger(service="reviews")
metrics = Metrics(namespace="Revenir", service="reviews")
app = create_app()

ReviewId = Annotated[str, Path(pattern=r"^rv_[a-z]+_[0-9a-f]{24}$")]
ImportSource = Annotated[str, Path(pattern=r"^(booking|airbnb)$", description="booking or airbnb")]


class ReviewsSettings(MailSettings):
    """The reviews functions' environment: the mail settings plus the Google credentials' secret name."""

    google_secret_name: str = Field(alias="GOOGLE_SECRET_NAME", min_length=1)


@cache
def wiring() -> tuple[ReviewRepository, ReviewService]:
    repository = ReviewRepository(boto3.client("dynamodb"), load(ReviewsSettings).table_name)
    return repository, ReviewService(repository)


@cache
def mailer() -> SesMailer:
    return SesMailer(boto3.client("sesv2"), load(ReviewsSettings).configuration_set)


@cache
def signer() -> Signer:
    return Signer(str(parameters.get_secret(load(ReviewsSettings).signing_secret_name, max_age=300)))


_GOOGLE: dict[str, Any] = {"until": 0.0, "auth": None}
GOOGLE_TTL = 300.0


def google() -> GoogleAuth | None:
    """Google's OAuth client from Secrets Manager, re-read every 5 minutes. A missing or empty (`{}`) secret means
    Google is not configured: ingestion skips it, replies to Google reviews are stored but not posted."""
    if time.monotonic() < _GOOGLE["until"]:
        return _GOOGLE["auth"]  # type: ignore[no-any-return]
    auth: GoogleAuth | None = None
    try:
        value = parameters.get_secret(load(ReviewsSettings).google_secret_name, force_fetch=True)
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

    report = send_due_alerts(wiring()[0], mailer())
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


_FORM_TEXTS: dict[str, dict[str, str]] = {
    "fr": {"title": "Votre avis sur {name}", "intro": "Merci pour votre séjour du {arrival} au {departure}. "
           "Comment l'avez-vous trouvé ?", "overall": "Note globale", "review_title": "Titre (facultatif)",
           "text": "Votre avis", "send": "Envoyer mon avis", "thanks": "Merci ! Votre avis a bien été reçu.",
           "done": "Vous avez déjà donné votre avis sur ce séjour. Merci !", "error": "Ce lien n'est pas valide.",
           "cleanliness": "Propreté", "comfort": "Confort", "check_in": "Arrivée", "communication": "Communication",
           "location": "Emplacement", "value": "Rapport qualité/prix"},
    "en": {"title": "Your review of {name}", "intro": "Thank you for your stay from {arrival} to {departure}. "
           "How was it?", "overall": "Overall", "review_title": "Title (optional)", "text": "Your review",
           "send": "Send my review", "thanks": "Thank you! Your review was received.",
           "done": "You have already reviewed this stay. Thank you!", "error": "This link is not valid.",
           **{c: CATEGORIES[c] for c in FORM_CATEGORIES}},
    "nl": {"title": "Uw beoordeling van {name}", "intro": "Bedankt voor uw verblijf van {arrival} tot {departure}. "
           "Hoe was het?", "overall": "Algemeen", "review_title": "Titel (optioneel)", "text": "Uw beoordeling",
           "send": "Verstuur", "thanks": "Bedankt! Uw beoordeling is ontvangen.",
           "done": "U heeft dit verblijf al beoordeeld. Bedankt!", "error": "Deze link is niet geldig.",
           "cleanliness": "Netheid", "comfort": "Comfort", "check_in": "Inchecken", "communication": "Communicatie",
           "location": "Locatie", "value": "Prijs-kwaliteit"},
    "de": {"title": "Ihre Bewertung von {name}", "intro": "Danke für Ihren Aufenthalt vom {arrival} bis "
           "{departure}. Wie war es?", "overall": "Gesamt", "review_title": "Titel (optional)",
           "text": "Ihre Bewertung", "send": "Bewertung senden", "thanks": "Danke! Ihre Bewertung ist angekommen.",
           "done": "Sie haben diesen Aufenthalt bereits bewertet. Danke!", "error": "Dieser Link ist ungültig.",
           "cleanliness": "Sauberkeit", "comfort": "Komfort", "check_in": "Check-in",
           "communication": "Kommunikation", "location": "Lage", "value": "Preis-Leistung"},
}

_FORM_PAGE = """<!doctype html><html lang="{lang}"><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#2b2b2b}}
fieldset{{border:0;padding:0;margin:.8rem 0}}legend{{font-weight:600}}.stars label{{font-size:1.6rem;cursor:pointer}}
.stars input{{position:absolute;opacity:0}}.stars input:checked~span{{color:#c9a44c}}
textarea,input[type=text]{{width:100%;box-sizing:border-box;padding:.5rem;font:inherit}}
button{{margin-top:1rem;padding:.6rem 1.2rem;font:inherit;background:#2b5d4a;color:#fff;border:0;border-radius:6px}}
</style><body><h1>{title}</h1>{body}</body></html>"""


def _stars(name: str, label: str, required: bool) -> str:
    options = "".join(
        f'<label><input type="radio" name="{name}" value="{n}"{" required" if required else ""}>'
        f'<span aria-label="{n}/5">{"★" * n}</span></label> ' for n in range(1, 6))
    return f'<fieldset class="stars" data-field="{name}"><legend>{html.escape(label)}</legend>{options}</fieldset>'


def _form_html(property_id: str, prop: dict[str, Any], booking: dict[str, Any], token: str, lang: str) -> str:
    texts = _FORM_TEXTS[lang]
    title = html.escape(texts["title"].format(name=prop["name"]))
    intro = html.escape(texts["intro"].format(arrival=booking["arrival"], departure=booking["departure"]))
    fields = _stars("rating", texts["overall"], True) + "".join(_stars(c, texts[c], False) for c in FORM_CATEGORIES)
    config = json.dumps({"url": f"/v1/properties/{property_id}/reviews", "booking_id": booking["booking_id"],
                         "token": token, "language": lang, "categories": list(FORM_CATEGORIES),
                         "thanks": texts["thanks"], "done": texts["done"]}).replace("</", "<\\/")
    body = f"""<p>{intro}</p><form id="review">{fields}
<p><label>{html.escape(texts["review_title"])}<br><input type="text" name="title" maxlength="200"></label></p>
<p><label>{html.escape(texts["text"])}<br><textarea name="text" rows="6" maxlength="5000"></textarea></label></p>
<button type="submit">{html.escape(texts["send"])}</button></form><p id="result" role="status"></p>
<script>const C={config};const f=document.getElementById('review');
f.addEventListener('submit',async e=>{{e.preventDefault();const d=new FormData(f);const v=k=>d.get(k);
const body={{booking_id:C.booking_id,token:C.token,language:C.language,rating:Number(v('rating')),categories:{{}}}};
for(const c of C.categories){{if(v(c))body.categories[c]=Number(v(c));}}
if(v('title'))body.title=v('title');if(v('text'))body.text=v('text');
const r=await fetch(C.url,{{method:'POST',headers:{{'Content-Type':'application/json'}},body:JSON.stringify(body)}});
const out=document.getElementById('result');
if(r.status===201){{f.remove();out.textContent=C.thanks;}}
else{{const j=await r.json();out.textContent=j.error.code==='review_already_submitted'?C.done:j.error.message;}}}});
</script>"""
    return _FORM_PAGE.format(lang=lang, title=title, body=body)


@app.get("/v1/properties/<property_id>/reviews/form", tags=["Reviews"],
         summary="The review form a guest opens from the post-stay e-mail (HTML; b = booking id, t = signed token)")
def review_form(property_id: PropertyId, b: Annotated[str, Query(max_length=64)] = "",
                t: Annotated[str, Query(max_length=64)] = "",
                lang: Annotated[str | None, Query(pattern=r"^(fr|en|nl|de)$")] = None) -> Response[str]:
    try:
        prop, booking, done = wiring()[1].form_state(signer(), property_id, b, t)
    except RevenirError as exc:
        texts = _FORM_TEXTS[lang or "en"]
        page = _FORM_PAGE.format(lang=lang or "en", title=html.escape(texts["error"]),
                                 body=f'<p data-error="{html.escape(exc.code)}">{html.escape(exc.message)}</p>')
        return Response(status_code=exc.status, content_type="text/html; charset=utf-8", body=page)
    language = lang or (booking.get("language") if booking.get("language") in _FORM_TEXTS else None) or (
        prop.get("default_language") if prop.get("default_language") in _FORM_TEXTS else "en")
    texts = _FORM_TEXTS[language]
    if done:
        page = _FORM_PAGE.format(lang=language, title=html.escape(texts["title"].format(name=prop["name"])),
                                 body=f'<p data-state="done">{html.escape(texts["done"])}</p>')
    else:
        page = _form_html(property_id, prop, booking, t, language)
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page,
                    headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


# ---------------------------------------------------------------- admin
@app.get("/v1/admin/properties/<property_id>/reviews", tags=["Reviews"],
         summary="Reviews, newest first, filtered by source, rating (0–5), answered or not, and period")
def list_reviews(property_id: PropertyId,
                 source: Annotated[str | None, Query(pattern=r"^(google|booking|airbnb|direct)$")] = None,
                 min_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
                 max_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
                 answered: Annotated[bool | None, Query()] = None,
                 created_from: Annotated[date | None, Query(alias="from")] = None,
                 created_to: Annotated[date | None, Query(alias="to")] = None,
                 limit: Annotated[int, Query(ge=1, le=100)] = 25,
                 cursor: Annotated[str | None, Query(max_length=600)] = None) -> ReviewPage:
    if created_from and created_to and created_to < created_from:
        raise InvalidInput("`to` is before `from`", details=[{"field": "query.to"}])
    filters = ListFilters(
        source=source, answered=answered,
        min_rating=round(min_rating * 100) if min_rating is not None else None,
        max_rating=round(max_rating * 100) if max_rating is not None else None,
        created_from=f"{created_from}T00:00:00Z" if created_from else None,
        created_to=f"{created_to + timedelta(days=1)}T00:00:00Z" if created_to else None)
    reviews, next_cursor = wiring()[1].list(property_id, filters, limit, cursor)
    return ReviewPage(reviews=reviews, next_cursor=next_cursor)


@app.get("/v1/admin/properties/<property_id>/reviews/<review_id>", tags=["Reviews"], summary="One review")
def get_review(property_id: PropertyId, review_id: ReviewId) -> ReviewOut:
    from revenir.reviews.models import review_out

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
def import_reviews(property_id: PropertyId, source: ImportSource) -> ImportReport:
    text = app.current_event.decoded_body or ""
    if not text.strip():
        raise InvalidInput("send the export file as the request body", code="empty_file")
    report = wiring()[1].import_export(property_id, source, text)
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


__all__ = ["clock"]
