"""Where reviews come from, behind one adapter interface (`ReviewSource`).

- Google Business Profile: its REST API (v4 `accounts/*/locations/*/reviews`), OAuth 2 refresh token from
  Secrets Manager; replies are posted back. Plain urllib through an injectable HTTP function (tests run a local
  fake server that checks every request).
- Booking.com and Airbnb: their review exports (CSV or JSON), uploaded by the host; no reply API for us.
- Our own form: the post-stay e-mail's signed link; one review per booking.
"""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from revenir.core import clock
from revenir.core.validation import MAX_IMPORT_ROWS, check_import_size
from revenir.reviews.models import CATEGORY_MAP, ReviewRecord, field_name, make_record


class SourceError(Exception):
    """A source refused or failed a call (message safe to show the host)."""


class ReviewSource(Protocol):
    """One adapter per source: the reviews it has (newest changes first where it can), and replies."""

    name: str
    can_reply: bool

    def reviews(self, since: str | None = None) -> Iterator[ReviewRecord]: ...

    def post_reply(self, source_ref: str, text: str) -> None: ...


# ---------------------------------------------------------------- helpers
def iso_instant(value: Any) -> str:
    """Our canonical UTC instant from an RFC 3339 time, an ISO date, or a day-first date (exports)."""
    text = str(value or "").strip()
    if not text:
        raise ValueError("the review has no date")
    for layout in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return clock.iso(datetime.strptime(text, layout).replace(tzinfo=UTC))
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return clock.iso(parsed)


def _pick(row: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip() != "":
            return value
    return None


def _flatten(row: Mapping[str, Any]) -> dict[str, Any]:
    """Keys normalised (lower case, "_"); nested score objects (`category_ratings`, `scores`) lifted up."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, Mapping) and field_name(str(name)) in ("category_ratings", "scores", "ratings",
                                                                     "subratings", "categories"):
            out.update({field_name(str(k)): v for k, v in value.items()})
        else:
            out[field_name(str(name))] = value
    return out


def read_rows(text: str) -> list[dict[str, Any]]:
    """JSON (a list, or {"reviews": [...]}) or CSV (comma or semicolon; a UTF-8 BOM is fine) -> flat rows."""
    text = text.lstrip("\ufeff").strip()
    if not text:
        return []
    check_import_size(text)
    if text[0] in "[{":
        try:
            data = json.loads(text)
        except RecursionError as exc:  # thousands of nested brackets: the file's fault, not a 500
            raise ValueError("the JSON export is nested too deeply") from exc
        if isinstance(data, Mapping):
            data = data.get("reviews", data.get("data", [data]))
        if not isinstance(data, list) or not all(isinstance(r, Mapping) for r in data):
            raise ValueError("the JSON export must be a list of reviews")
        if len(data) > MAX_IMPORT_ROWS:
            raise ValueError(f"at most {MAX_IMPORT_ROWS} reviews per file")
        return [_flatten(r) for r in data]
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [_flatten(r) for r in csv.DictReader(io.StringIO(text), delimiter=delimiter)]


@dataclass
class ExportSource:
    """A review export uploaded by the host: every row becomes a record, or a rejected row with its reason."""

    name: str
    text: str
    rejected: list[dict[str, Any]] = field(default_factory=list)
    received: int = 0
    can_reply: bool = False

    def reviews(self, since: str | None = None) -> Iterator[ReviewRecord]:
        parse = _PARSERS[self.name]
        rows = read_rows(self.text)
        self.received = len(rows)
        for number, row in enumerate(rows, start=1):
            try:
                yield parse(row)
            except (ValueError, KeyError, TypeError) as exc:
                self.rejected.append({"row": number, "error": str(exc)})

    def post_reply(self, source_ref: str, text: str) -> None:
        raise SourceError(f"{self.name} has no reply API for us: paste the reply in its extranet")


def _categories(source: str, row: Mapping[str, Any], extra: tuple[str, ...] = ()) -> dict[str, Any]:
    known = set(CATEGORY_MAP[source]) | set(extra)
    return {name.removeprefix("rating_"): row[name] for name in row
            if name.removeprefix("rating_") in known and name != "rating"}


def _reply(row: Mapping[str, Any], text_keys: tuple[str, ...], date_keys: tuple[str, ...],
           fallback_at: str) -> dict[str, str] | None:
    reply = _pick(row, *text_keys)
    if isinstance(reply, Mapping):
        text, at = reply.get("comment") or reply.get("text"), reply.get("date") or reply.get("created_at")
    else:
        text, at = reply, _pick(row, *date_keys)
    if not text or not str(text).strip():
        return None
    return {"text": str(text).strip(), "at": iso_instant(at) if at else fallback_at}


#: Booking.com scores categories we have no place for (kept on the review as `unmapped`).
BOOKING_EXTRA = ("free_wifi", "wifi")


def booking_record(row: Mapping[str, Any]) -> ReviewRecord:
    """A row of Booking.com's review export (extranet "Guest reviews" → Download; CSV or JSON)."""
    reservation = _pick(row, "reservation_number", "booking_number", "reservation_id", "confirmation_number")
    source_id = _pick(row, "review_id", "id") or reservation
    created = iso_instant(_pick(row, "review_date", "date", "created_at", "submitted_at"))
    positive, negative = _pick(row, "positive_review", "positive", "liked"), _pick(row, "negative_review",
                                                                                   "negative", "disliked")
    text = _pick(row, "text", "review", "comment")
    if text is None and (positive or negative):
        text = "\n".join(f"{mark} {str(part).strip()}" for mark, part in (("+", positive), ("−", negative)) if part)
    rating = _pick(row, "review_score", "score", "overall_score", "overall", "rating")
    if rating is None:
        raise ValueError("the review has no score")
    return make_record(
        "booking", str(source_id or ""), rating, created,
        categories=_categories("booking", row, BOOKING_EXTRA),
        author=_pick(row, "guest_name", "reviewer", "guest", "name", "author"),
        title=_pick(row, "review_title", "title"), text=text, language=_pick(row, "language", "review_language"),
        booking_id=str(reservation) if reservation else None,
        source_updated_at=iso_instant(_pick(row, "updated_at", "last_modified")) if _pick(
            row, "updated_at", "last_modified") else None,
        source_reply=_reply(row, ("property_reply", "reply", "response", "hotel_response"),
                            ("reply_date", "response_date"), created))


def airbnb_record(row: Mapping[str, Any]) -> ReviewRecord:
    """A row of an Airbnb review export (CSV or JSON: host dashboard / "Download your data")."""
    confirmation = _pick(row, "confirmation_code", "reservation_code", "booking_id")
    source_id = _pick(row, "review_id", "id") or confirmation
    created = iso_instant(_pick(row, "date", "created_at", "submitted_at", "review_date"))
    rating = _pick(row, "overall_rating", "rating_overall", "overall", "rating", "stars")
    if rating is None:
        raise ValueError("the review has no overall rating")
    return make_record(
        "airbnb", str(source_id or ""), rating, created, categories=_categories("airbnb", row),
        author=_pick(row, "reviewer", "reviewer_name", "guest", "guest_name", "author"),
        text=_pick(row, "public_review", "comments", "review", "text", "comment"),
        language=_pick(row, "language"), booking_id=str(confirmation) if confirmation else None,
        source_updated_at=iso_instant(_pick(row, "updated_at")) if _pick(row, "updated_at") else None,
        source_reply=_reply(row, ("response", "host_response", "reply"), ("response_date", "reply_date"), created))


_PARSERS: dict[str, Callable[[Mapping[str, Any]], ReviewRecord]] = {
    "booking": booking_record, "airbnb": airbnb_record}


# ---------------------------------------------------------------- Google Business Profile
#: (method, url, headers, body) -> (status, body). The default is urllib; tests inject nothing but a base URL.
HttpFunction = Callable[[str, str, Mapping[str, str], bytes | None], tuple[int, bytes]]


def urllib_http(method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> tuple[int, bytes]:
    if not url.startswith(("https://", "http://")):
        raise SourceError(f"refusing to call {url!r}")
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310 (scheme checked above)
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read() or b"")
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise SourceError(f"Google unreachable: {exc}") from exc


@dataclass(frozen=True)
class GoogleCredentials:
    """The Secrets Manager secret's JSON: an OAuth client and a refresh token with the business.manage scope."""

    client_id: str
    client_secret: str
    refresh_token: str
    token_uri: str = "https://oauth2.googleapis.com/token"  # noqa: S105 (a URL, not a secret)
    api_base: str = "https://mybusiness.googleapis.com"

    @classmethod
    def from_secret(cls, value: str | bytes | Mapping[str, Any] | None) -> GoogleCredentials | None:
        """None when the secret is empty, `{}` or not a JSON object (the local runtime's generated placeholder):
        Google is not configured and the schedule skips it. A JSON object missing a field is an error."""
        if value is None:
            return None
        if isinstance(value, Mapping):
            data: Any = value
        else:
            try:
                data = json.loads(value or "{}")
            except ValueError:
                return None
        if not isinstance(data, Mapping) or not data:
            return None
        missing = [k for k in ("client_id", "client_secret", "refresh_token") if not data.get(k)]
        if missing:
            raise ValueError(f"the Google secret lacks {', '.join(missing)}")
        return cls(**{k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__})


class GoogleAuth:
    """Access tokens from the refresh token, reused until a minute before they expire."""

    def __init__(self, credentials: GoogleCredentials, http: HttpFunction = urllib_http):
        self.credentials = credentials
        self.http = http
        self._token: tuple[str, float] | None = None

    def token(self, *, refresh: bool = False) -> str:
        if self._token and not refresh and time.monotonic() < self._token[1]:
            return self._token[0]
        c = self.credentials
        body = urllib.parse.urlencode({"grant_type": "refresh_token", "client_id": c.client_id,
                                       "client_secret": c.client_secret, "refresh_token": c.refresh_token}).encode()
        status, raw = self.http("POST", c.token_uri, {"Content-Type": "application/x-www-form-urlencoded"}, body)
        if status != 200:
            raise SourceError(f"Google refused the credentials (HTTP {status})")
        data = json.loads(raw)
        self._token = (str(data["access_token"]), time.monotonic() + int(data.get("expires_in", 3600)) - 60)
        return self._token[0]

    def call(self, method: str, path: str, *, query: Mapping[str, Any] | None = None,
             body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        url = f"{self.credentials.api_base.rstrip('/')}/v4/{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        payload = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):  # a revoked or expired token: refresh once
            headers = {"Authorization": f"Bearer {self.token(refresh=attempt == 2)}", "Accept": "application/json"}
            if payload is not None:
                headers["Content-Type"] = "application/json"
            status, raw = self.http(method, url, headers, payload)
            if status == 401 and attempt == 1:
                continue
            if status >= 400:
                raise SourceError(f"Google answered HTTP {status} to {method} {path}")
            result: dict[str, Any] = json.loads(raw) if raw else {}
            return result
        raise SourceError("unreachable")  # pragma: no cover


def google_record(review: Mapping[str, Any]) -> ReviewRecord:
    name = str(review["name"])
    reviewer = review.get("reviewer") or {}
    reply = review.get("reviewReply")
    created = iso_instant(review["createTime"])
    return make_record(
        "google", str(review.get("reviewId") or name.rsplit("/", 1)[-1]), review["starRating"], created,
        author=None if reviewer.get("isAnonymous") else reviewer.get("displayName"), text=review.get("comment"),
        source_updated_at=iso_instant(review.get("updateTime") or review["createTime"]),
        source_reply={"text": str(reply["comment"]), "at": iso_instant(reply.get("updateTime") or created)}
        if reply and reply.get("comment") else None, source_ref=name)


class GoogleBusinessProfile:
    """A location's reviews. Pages ordered by update time, newest first: stops at `since` (the last sync)."""

    name = "google"
    can_reply = True

    def __init__(self, auth: GoogleAuth, location: str, *, page_size: int = 50, max_pages: int = 20):
        self.auth = auth
        self.location = location
        self.page_size = page_size
        self.max_pages = max_pages
        self.rejected: list[dict[str, Any]] = []

    def reviews(self, since: str | None = None) -> Iterator[ReviewRecord]:
        token: str | None = None
        for _ in range(self.max_pages):
            page = self.auth.call("GET", f"{self.location}/reviews",
                                  query={"pageSize": self.page_size, "pageToken": token, "orderBy": "updateTime desc"})
            for raw in page.get("reviews", []):
                try:
                    record = google_record(raw)
                except (ValueError, KeyError, TypeError) as exc:
                    self.rejected.append({"review": raw.get("name"), "error": str(exc)})
                    continue
                if since and (record.source_updated_at or record.created_at) < since:
                    return  # older than what the last sync saw: nothing new beyond this point
                yield record
            token = page.get("nextPageToken")
            if not token:
                return

    def post_reply(self, source_ref: str, text: str) -> None:
        if not source_ref.startswith(self.location + "/reviews/"):
            raise SourceError("this review belongs to another Google location")
        self.auth.call("PUT", f"{source_ref}/reply", body={"comment": text})


# ---------------------------------------------------------------- our own form
@dataclass
class DirectFormSource:
    """A review from our form: the booking proves the stay (the handler has verified the signed token)."""

    booking: Mapping[str, Any]
    rating: int
    categories: Mapping[str, int]
    submitted_at: str
    title: str | None = None
    text: str | None = None
    language: str | None = None
    name: str = "direct"
    can_reply: bool = False  # the host's reply is published with the review on the host's own site

    def reviews(self, since: str | None = None) -> Iterator[ReviewRecord]:
        first, last = str(self.booking.get("first_name") or ""), str(self.booking.get("last_name") or "")
        author = f"{first} {last[:1]}.".strip() if last else first or None
        yield make_record("direct", str(self.booking["booking_id"]), self.rating, self.submitted_at,
                          categories=dict(self.categories), author=author, title=self.title, text=self.text,
                          language=self.language or self.booking.get("language"),
                          booking_id=str(self.booking["booking_id"]))

    def post_reply(self, source_ref: str, text: str) -> None:
        return None
