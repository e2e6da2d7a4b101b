"""Guest reviews from every source on one scale: normalisation, category mapping with provenance, aggregate math.

Ratings are stored as integer hundredths of a point on 0–5 (4.15 -> 415), so sums never drift; the source's own
value and scale are kept next to them. Each source's categories map to one documented set (docs/reviews.md);
the aggregates are counters (sums and counts) that a review's upsert moves by the difference between its old and
new contribution, never recomputed by reading every review.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from revenir.core.validation import Email, Identifier, Language, SingleLine

Source = Literal["google", "booking", "airbnb", "direct"]
SOURCES: tuple[str, ...] = ("google", "booking", "airbnb", "direct")
SOURCE_LABELS = {"google": "Google", "booking": "Booking.com", "airbnb": "Airbnb", "direct": "Revenir"}

#: The one documented set of categories every source maps into (labels for the widget).
CATEGORIES: dict[str, str] = {
    "cleanliness": "Cleanliness",
    "accuracy": "Accuracy",
    "check_in": "Check-in",
    "communication": "Communication",
    "location": "Location",
    "value": "Value for money",
    "staff": "Staff",
    "facilities": "Facilities",
    "comfort": "Comfort",
}

#: source field name (normalised: lower case, non-alphanumerics as "_") -> our category.
CATEGORY_MAP: dict[str, dict[str, str]] = {
    "airbnb": {"cleanliness": "cleanliness", "accuracy": "accuracy", "checkin": "check_in", "check_in": "check_in",
               "communication": "communication", "location": "location", "value": "value"},
    "booking": {"staff": "staff", "facilities": "facilities", "cleanliness": "cleanliness", "comfort": "comfort",
                "value_for_money": "value", "value": "value", "location": "location"},
    "google": {},  # Google reviews carry stars only
    "direct": {"cleanliness": "cleanliness", "comfort": "comfort", "check_in": "check_in",
               "communication": "communication", "location": "location", "value": "value"},
}
#: The categories our own form asks about (1–5 stars each).
FORM_CATEGORIES = tuple(CATEGORY_MAP["direct"])


@dataclass(frozen=True)
class Scale:
    low: Decimal
    high: Decimal
    label: str


SCALES: dict[str, Scale] = {
    "google": Scale(Decimal(1), Decimal(5), "1-5 stars"),
    "booking": Scale(Decimal(1), Decimal(10), "1-10"),
    "airbnb": Scale(Decimal(1), Decimal(5), "1-5"),
    "direct": Scale(Decimal(1), Decimal(5), "1-5"),
}
GOOGLE_STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}

#: A normalised rating: hundredths of a point, 0..500.
MAX_POINTS = 500


def normalise(source: str, value: Any) -> tuple[int, str]:
    """(hundredths of a point on 0–5, the original as text). Linear: value × 5 / top of the source's scale."""
    scale = SCALES[source]
    original = str(value).strip()
    if source == "google" and original.upper() in GOOGLE_STARS:
        number = Decimal(GOOGLE_STARS[original.upper()])
    else:
        try:
            number = Decimal(original.replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(f"{original!r} is not a rating") from exc
    if not number.is_finite() or not scale.low <= number <= scale.high:
        raise ValueError(f"{original!r} is outside {SOURCE_LABELS[source]}'s scale {scale.label}")
    points = (number * MAX_POINTS / scale.high).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(points), original


def points_to_rating(points: int) -> float:
    return round(points / 100, 2)


def field_name(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.strip().lower()).strip("_")


@dataclass(frozen=True)
class CategoryScore:
    score: int  # hundredths on 0–5
    original: str  # as the source gave it
    source_field: str  # the source's own name for it (provenance)


@dataclass(frozen=True)
class ReviewRecord:
    """One review as a source gives it, normalised. (source, source_id) is its natural key."""

    source: str
    source_id: str
    rating: int
    rating_original: str
    created_at: str
    categories: dict[str, CategoryScore] = field(default_factory=dict)
    unmapped: dict[str, str] = field(default_factory=dict)  # source categories outside our set, kept as given
    author: str | None = None
    title: str | None = None
    text: str | None = None
    language: str | None = None
    booking_id: str | None = None
    source_updated_at: str | None = None
    source_reply: dict[str, str] | None = None  # {"text", "at"}: the answer the source already shows
    source_ref: str | None = None  # the source's resource name (Google: accounts/…/reviews/…), for replies

    @property
    def review_id(self) -> str:
        return review_id(self.source, self.source_id)

    def content(self) -> dict[str, Any]:
        """The source-owned fields, as stored (host replies and notes are never part of it)."""
        data = asdict(self)
        data["categories"] = {k: asdict(v) for k, v in sorted(self.categories.items())}
        data["rating_scale"] = SCALES[self.source].label
        return data

    def fingerprint(self) -> str:
        """Changes when anything the source owns changes: a repeat import compares equal and writes nothing."""
        payload = json.dumps(self.content(), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(payload).hexdigest()[:32]


def review_id(source: str, source_id: str) -> str:
    """Deterministic id from the natural key, URL-safe: rv_<source>_<24 hex>."""
    digest = hashlib.sha256(f"{source}|{source_id}".encode()).hexdigest()[:24]
    return f"rv_{source}_{digest}"


def make_record(source: str, source_id: str, rating: Any, created_at: str, *,
                categories: Mapping[str, Any] | None = None, **fields: Any) -> ReviewRecord:
    """Normalise a source's review. Raises ValueError (with a message for the import report) on bad data."""
    if source not in SCALES:
        raise ValueError(f"unknown source {source!r}")
    if not str(source_id).strip():
        raise ValueError("the review has no id")
    points, original = normalise(source, rating)
    mapped: dict[str, CategoryScore] = {}
    unmapped: dict[str, str] = {}
    for name, value in (categories or {}).items():
        if value is None or str(value).strip() == "":
            continue
        category = CATEGORY_MAP[source].get(field_name(name))
        if category is None:
            unmapped[name] = str(value).strip()
            continue
        score, given = normalise(source, value)
        mapped[category] = CategoryScore(score, given, name)
    clean: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in fields.items()}
    return ReviewRecord(source=source, source_id=str(source_id).strip(), rating=points, rating_original=original,
                        created_at=created_at, categories=mapped, unmapped=unmapped, **clean)


# ---------------------------------------------------------------- aggregates
def star_bucket(points: int) -> int:
    """1..5: the star row of the distribution a rating counts in (4.5 and up is 5)."""
    return max(1, min(5, (points + 50) // 100))


def contribution(rating: int, source: str, categories: Mapping[str, int]) -> dict[str, int]:
    """The counters one review adds to its property's aggregates."""
    out = {"n_all": 1, "sum_all": rating, f"n_src_{source}": 1, f"sum_src_{source}": rating,
           f"n_star_{star_bucket(rating)}": 1}
    for category, score in categories.items():
        out[f"n_cat_{category}"] = 1
        out[f"sum_cat_{category}"] = score
    return out


def stored_contribution(item: Mapping[str, Any] | None) -> dict[str, int]:
    """The contribution of a stored review item (none if absent)."""
    if not item:
        return {}
    categories = {k: int(v["score"]) for k, v in (item.get("categories") or {}).items()}
    return contribution(int(item["rating"]), str(item["source"]), categories)


def record_contribution(record: ReviewRecord) -> dict[str, int]:
    return contribution(record.rating, record.source, {k: v.score for k, v in record.categories.items()})


def delta(old: Mapping[str, int], new: Mapping[str, int]) -> dict[str, int]:
    """What to ADD to the counters when a review's contribution goes from `old` to `new` (zeros dropped)."""
    out = {k: new.get(k, 0) - old.get(k, 0) for k in set(old) | set(new)}
    return {k: v for k, v in sorted(out.items()) if v}


def recompute(items: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The counters from scratch (tests and repairs only; requests never read every review)."""
    total: dict[str, int] = {}
    for item in items:
        for k, v in stored_contribution(item).items():
            total[k] = total.get(k, 0) + v
    return {k: v for k, v in total.items() if v}


def _average(total: int, count: int) -> float | None:
    return round(total / count / 100, 2) if count else None


def summarise(counters: Mapping[str, Any]) -> dict[str, Any]:
    """Average, count, per category, per source and the star distribution from the counters."""
    def n(name: str) -> int:
        return int(counters.get(name, 0) or 0)

    categories = {c: {"label": CATEGORIES[c], "average": _average(n(f"sum_cat_{c}"), n(f"n_cat_{c}")),
                      "count": n(f"n_cat_{c}")} for c in CATEGORIES if n(f"n_cat_{c}")}
    sources = {s: {"label": SOURCE_LABELS[s], "average": _average(n(f"sum_src_{s}"), n(f"n_src_{s}")),
                   "count": n(f"n_src_{s}")} for s in SOURCES if n(f"n_src_{s}")}
    return {"average": _average(n("sum_all"), n("n_all")), "count": n("n_all"), "categories": categories,
            "sources": sources, "distribution": {str(s): n(f"n_star_{s}") for s in range(5, 0, -1)}}


def at_or_below(points: int, threshold: float) -> bool:
    return points <= round(threshold * 100)


# ---------------------------------------------------------------- API models
_IN = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)
_OUT = ConfigDict(defer_build=True)

FormCategory = Literal["cleanliness", "comfort", "check_in", "communication", "location", "value"]


class ReviewFormInput(BaseModel):
    """What the public review form posts: the signed token from the post-stay e-mail proves the stay."""

    model_config = _IN

    booking_id: Identifier
    token: str = Field(min_length=10, max_length=64, description="The `t` of the e-mail's review link.")
    rating: int = Field(ge=1, le=5, description="Overall, 1–5 stars.")
    categories: dict[FormCategory, Annotated[int, Field(ge=1, le=5)]] = Field(
        default_factory=dict, description="1–5 stars each.")
    title: SingleLine | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=5000)
    language: Language | None = None


class ReplyInput(BaseModel):
    model_config = _IN
    text: str = Field(min_length=1, max_length=4000)


class NoteInput(BaseModel):
    model_config = _IN
    text: str = Field(max_length=4000, description="A private note, never shown to guests; empty clears it.")


class ReviewSettingsInput(BaseModel):
    model_config = _IN

    google_location: str | None = Field(
        default=None, pattern=r"^accounts/[0-9]+/locations/[0-9]+$", examples=["accounts/1234/locations/5678"],
        description="The Google Business Profile location whose reviews are imported; none: Google is skipped.")
    alert_threshold: float = Field(default=3.0, ge=0, le=5, description="E-mail the host for a review at or "
                                                                         "below this rating (0–5).")
    alert_email: Email | None = Field(default=None, description="Default: the property's contact e-mail.")
    alerts_enabled: bool = True
    alert_language: Language | None = Field(default=None, description="The alert e-mail's language (fr, en, nl, "
                                                                      "de). Default: the property's language.")


class ReviewSettings(ReviewSettingsInput):
    model_config = ConfigDict(extra="ignore", defer_build=True)
    property_id: str
    google_synced_until: str | None = None
    updated_at: str | None = None


class CategoryOut(BaseModel):
    model_config = _OUT
    score: float
    original: str
    source_field: str


class ReplyOut(BaseModel):
    model_config = _OUT
    text: str
    at: str
    status: str | None = Field(default=None, description="posted (to the source), stored_only (the source has no "
                                                         "reply API: paste it there), failed (kept; try again).")
    error: str | None = None


class PublicReview(BaseModel):
    model_config = _OUT

    review_id: str
    source: str
    rating: float
    rating_original: str
    rating_scale: str
    categories: dict[str, CategoryOut] = Field(default_factory=dict)
    author: str | None = None
    title: str | None = None
    text: str | None = None
    language: str | None = None
    created_at: str
    reply: ReplyOut | None = Field(default=None, description="The host's answer (ours, else the source's).")


class ReviewOut(PublicReview):
    source_id: str
    unmapped: dict[str, str] = Field(default_factory=dict)
    booking_id: str | None = None
    source_updated_at: str | None = None
    source_reply: ReplyOut | None = None
    host_reply: ReplyOut | None = None
    note: str | None = None
    answered: bool
    alert: str | None = Field(default=None, description="queued / sent / failed when an alert was due.")
    updated_at: str | None = None


class Stat(BaseModel):
    model_config = _OUT
    label: str
    average: float | None
    count: int


class ReviewSummary(BaseModel):
    model_config = _OUT

    property_id: str
    language: str | None = Field(default=None, description="The property's default language: the reviews "
                                 "widget's fallback when the page sets no language it speaks.")
    average: float | None = Field(description="0–5, two decimals; null without reviews.")
    count: int
    categories: dict[str, Stat]
    sources: dict[str, Stat]
    distribution: dict[str, int] = Field(description="Reviews per star row, '5' to '1'.")
    latest: list[PublicReview]


class ReviewPage(BaseModel):
    model_config = _OUT
    reviews: list[ReviewOut]
    next_cursor: str | None = None


class ReviewImportRejection(BaseModel):
    model_config = _OUT
    row: int | None = Field(default=None, description="The rejected row of the file (1: the first data row).")
    review: str | None = Field(default=None, description="The source's review name, when synchronised.")
    error: str


class ReviewImportReport(BaseModel):
    """What a review export's import did (its own name: the voucher import's report is `ImportReport`)."""

    model_config = _OUT
    source: str
    received: int = Field(description="Rows in the file.")
    created: int
    updated: int = Field(description="Reviews already imported whose text, rating or reply changed.")
    unchanged: int
    rejected: list[ReviewImportRejection]
    alerts_queued: int = Field(description="Low ratings that will e-mail the host's alert address.")


def reply_out(value: Mapping[str, Any] | None) -> ReplyOut | None:
    return ReplyOut.model_validate(dict(value)) if value else None


def review_out(item: Mapping[str, Any]) -> ReviewOut:
    host, source_reply = reply_out(item.get("reply")), reply_out(item.get("source_reply"))
    categories = {k: CategoryOut(score=points_to_rating(int(v["score"])), original=str(v["original"]),
                                 source_field=str(v["source_field"]))
                  for k, v in (item.get("categories") or {}).items()}
    note = item.get("note")
    return ReviewOut(
        review_id=item["review_id"], source=item["source"], source_id=item["source_id"],
        rating=points_to_rating(int(item["rating"])), rating_original=str(item["rating_original"]),
        rating_scale=str(item.get("rating_scale") or SCALES[item["source"]].label), categories=categories,
        unmapped=item.get("unmapped") or {}, author=item.get("author"), title=item.get("title"),
        text=item.get("text"), language=item.get("language"), created_at=item["created_at"],
        reply=host or source_reply, booking_id=item.get("booking_id"),
        source_updated_at=item.get("source_updated_at"), source_reply=source_reply, host_reply=host,
        note=note.get("text") if isinstance(note, Mapping) else None, answered=bool(host or source_reply),
        alert=item.get("alert"), updated_at=item.get("updated_at"))


def public_review(item: Mapping[str, Any]) -> PublicReview:
    full = review_out(item)
    reply = full.reply.model_copy(update={"status": None, "error": None}) if full.reply else None
    return PublicReview(**full.model_dump(include=set(PublicReview.model_fields) - {"reply"}), reply=reply)
