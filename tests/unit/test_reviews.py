"""Reviews domain: every source's scale, category mapping with provenance, export parsing, aggregate math."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any

import pytest

from revenir.reviews.models import (
    CATEGORIES,
    CATEGORY_MAP,
    delta,
    make_record,
    normalise,
    recompute,
    record_contribution,
    review_id,
    summarise,
)
from revenir.reviews.sources import (
    DirectFormSource,
    ExportSource,
    GoogleAuth,
    GoogleBusinessProfile,
    GoogleCredentials,
    SourceError,
    airbnb_record,
    booking_record,
    google_record,
    iso_instant,
    read_rows,
)


# ---------------------------------------------------------------- scales
@pytest.mark.parametrize(("source", "given", "points"), [
    ("booking", 10, 500), ("booking", 1, 50), ("booking", "8.3", 415), ("booking", "7,5", 375), ("booking", 4, 200),
    ("google", "FIVE", 500), ("google", "ONE", 100), ("google", "three", 300), ("google", 4, 400),
    ("airbnb", 5, 500), ("airbnb", 1, 100), ("airbnb", "4", 400),
    ("direct", 3, 300),
])
def test_every_source_is_normalised_to_0_5_and_the_original_kept(source: str, given: Any, points: int) -> None:
    assert normalise(source, given) == (points, str(given).strip())


@pytest.mark.parametrize(("source", "given"), [
    ("booking", 11), ("booking", 0), ("airbnb", 6), ("airbnb", 0), ("google", "SIX"), ("google", "STAR_RATING_"
                                                                                        "UNSPECIFIED"),
    ("direct", "nan"), ("booking", "inf"), ("airbnb", "good"),
])
def test_values_outside_a_sources_scale_are_refused(source: str, given: Any) -> None:
    with pytest.raises(ValueError):
        normalise(source, given)


def test_categories_map_to_one_documented_set_with_provenance() -> None:
    for source, mapping in CATEGORY_MAP.items():
        assert set(mapping.values()) <= set(CATEGORIES), source
    assert CATEGORY_MAP["google"] == {}
    assert set(CATEGORY_MAP["airbnb"].values()) == {"cleanliness", "accuracy", "check_in", "communication",
                                                    "location", "value"}
    assert set(CATEGORY_MAP["booking"].values()) == {"staff", "facilities", "cleanliness", "comfort", "value",
                                                     "location"}
    record = make_record("booking", "r1", 8, "2026-01-01T00:00:00Z",
                         categories={"Value for money": 6, "Staff": "10", "Free WiFi": 7, "Comfort": ""})
    assert {k: (v.score, v.original, v.source_field) for k, v in record.categories.items()} == {
        "value": (300, "6", "Value for money"), "staff": (500, "10", "Staff")}
    assert record.unmapped == {"Free WiFi": "7"}
    with pytest.raises(ValueError):
        make_record("airbnb", "r2", 4, "2026-01-01T00:00:00Z", categories={"cleanliness": 9})


def test_ids_are_deterministic_per_source_and_source_id() -> None:
    assert review_id("google", "abc") == review_id("google", "abc") != review_id("airbnb", "abc")
    assert review_id("booking", "x").startswith("rv_booking_") and len(review_id("booking", "x")) == 35


def test_the_fingerprint_ignores_nothing_the_source_owns() -> None:
    base = make_record("airbnb", "r", 4, "2026-01-01T00:00:00Z", text="Bien", categories={"value": 4})
    same = make_record("airbnb", "r", "4", "2026-01-01T00:00:00Z", text=" Bien ", categories={"value": 4})
    assert base.fingerprint() == same.fingerprint()
    for changed in (make_record("airbnb", "r", 5, "2026-01-01T00:00:00Z", text="Bien", categories={"value": 4}),
                    make_record("airbnb", "r", 4, "2026-01-01T00:00:00Z", text="Bien !", categories={"value": 4}),
                    make_record("airbnb", "r", 4, "2026-01-01T00:00:00Z", text="Bien", categories={"value": 3}),
                    make_record("airbnb", "r", 4, "2026-01-01T00:00:00Z", text="Bien", categories={"value": 4},
                                source_reply={"text": "Merci", "at": "2026-01-02T00:00:00Z"})):
        assert changed.fingerprint() != base.fingerprint()


# ---------------------------------------------------------------- aggregates
def _stored(record: Any) -> dict[str, Any]:
    return {"rating": record.rating, "source": record.source,
            "categories": {k: {"score": v.score} for k, v in record.categories.items()}}


def test_applying_deltas_equals_a_recomputation_from_scratch() -> None:
    rng = random.Random(7)
    counters: dict[str, int] = {}
    reviews: dict[str, Any] = {}
    for _ in range(400):  # creations and edits in any order, across sources and categories
        source = rng.choice(["booking", "airbnb", "google", "direct"])
        key = f"{source}-{rng.randrange(25)}"
        top = 10 if source == "booking" else 5
        cats = {} if source == "google" else {
            name: rng.randint(1, top) for name in rng.sample(sorted(CATEGORY_MAP[source]), rng.randint(0, 3))}
        record = make_record(source, key, rng.randint(1, top), "2026-01-01T00:00:00Z", categories=cats)
        old = reviews.get(key)
        change = delta(record_contribution(old) if old else {}, record_contribution(record))
        for name, value in change.items():
            counters[name] = counters.get(name, 0) + value
        reviews[key] = record
    assert {k: v for k, v in counters.items() if v} == recompute(_stored(r) for r in reviews.values())
    assert summarise(counters)["count"] == len(reviews)


def test_a_repeat_is_a_zero_delta_and_an_edit_moves_only_what_changed() -> None:
    a = make_record("booking", "1", 8, "2026-01-01T00:00:00Z", categories={"Staff": 10, "Location": 8})
    b = make_record("booking", "1", 6, "2026-01-01T00:00:00Z", categories={"Staff": 10})
    assert delta(record_contribution(a), record_contribution(a)) == {}
    assert delta(record_contribution(a), record_contribution(b)) == {
        "sum_all": -100, "sum_src_booking": -100, "n_star_4": -1, "n_star_3": 1, "n_cat_location": -1,
        "sum_cat_location": -400}


def test_summary_averages_and_distribution() -> None:
    records = [make_record("airbnb", "1", 5, "2026-01-01T00:00:00Z", categories={"value": 4}),
               make_record("booking", "2", 7, "2026-01-01T00:00:00Z", categories={"value_for_money": 8}),
               make_record("google", "3", "TWO", "2026-01-01T00:00:00Z")]
    summary = summarise(recompute(_stored(r) for r in records))
    assert (summary["average"], summary["count"]) == (round((5 + 3.5 + 2) / 3, 2), 3)
    assert summary["categories"] == {"value": {"label": "Value for money", "average": 4.0, "count": 2}}
    assert summary["distribution"] == {"5": 1, "4": 1, "3": 0, "2": 1, "1": 0}  # 3.5 counts as 4 stars
    assert summarise({}) == {"average": None, "count": 0, "categories": {}, "sources": {},
                             "distribution": {"5": 0, "4": 0, "3": 0, "2": 0, "1": 0}}


# ---------------------------------------------------------------- exports
def test_exports_are_read_as_csv_with_either_separator_or_json() -> None:
    assert read_rows("\ufeffReview date;Guest name\n2026-01-02;Anna\n") == [
        {"review_date": "2026-01-02", "guest_name": "Anna"}]
    assert read_rows("Id,Overall rating\n1,5\n") == [{"id": "1", "overall_rating": "5"}]
    assert read_rows(json.dumps({"reviews": [{"Id": 1, "category_ratings": {"Check-in": 5}}]})) == [
        {"id": 1, "check_in": 5}]
    assert read_rows("  ") == []
    with pytest.raises(ValueError):
        read_rows("[1, 2]")


def test_dates_in_exports() -> None:
    assert iso_instant("2026-09-02") == "2026-09-02T00:00:00Z"
    assert iso_instant("12/09/2026") == "2026-09-12T00:00:00Z"
    assert iso_instant("2026-10-01T08:00:00.123456Z") == "2026-10-01T08:00:00Z"
    assert iso_instant("2026-10-01T10:00:00+02:00") == "2026-10-01T08:00:00Z"
    for bad in ("", "yesterday", "2026-13-45"):
        with pytest.raises(ValueError):
            iso_instant(bad)


def test_booking_rows() -> None:
    row = read_rows("Review date,Guest name,Reservation number,Positive review,Negative review,Review score,"
                    "Staff,Value for money,Property reply\n2026-09-02,Anna,4001,Calme,Bruit,9,10,8,Merci\n")[0]
    record = booking_record(row)
    assert (record.source_id, record.booking_id, record.rating, record.author) == ("4001", "4001", 450, "Anna")
    assert record.text == "+ Calme\n− Bruit"
    assert record.source_reply == {"text": "Merci", "at": "2026-09-02T00:00:00Z"}
    assert record.categories["value"].source_field == "value_for_money"


def test_airbnb_rows() -> None:
    record = airbnb_record({"id": "r9", "date": "2026-08-20", "overall_rating": 4, "rating_checkin": 5,
                            "rating_accuracy": 3, "comments": "Top", "confirmation_code": "HMX"})
    assert (record.rating, record.text, record.booking_id) == (400, "Top", "HMX")
    assert {k: v.score for k, v in record.categories.items()} == {"check_in": 500, "accuracy": 300}
    export = ExportSource("airbnb", json.dumps([{"id": "a", "date": "2026-01-01", "overall_rating": 4},
                                                {"id": "b", "date": "2026-01-01"}]))
    assert [r.source_id for r in export.reviews()] == ["a"]
    assert export.received == 2 and export.rejected == [{"row": 2, "error": "the review has no overall rating"}]
    with pytest.raises(SourceError):
        export.post_reply("x", "y")


def test_our_form_records_one_review_per_booking() -> None:
    booking = {"booking_id": "B-1", "first_name": "Julie", "last_name": "Peeters", "language": "nl"}
    record = next(DirectFormSource(booking, 4, {"cleanliness": 5}, "2026-01-01T00:00:00Z", text="Fijn").reviews())
    assert (record.source, record.source_id, record.author, record.language) == ("direct", "B-1", "Julie P.", "nl")
    assert record.categories["cleanliness"].score == 500


# ---------------------------------------------------------------- Google (injected HTTP function, no network)
def test_google_secret_semantics() -> None:
    assert GoogleCredentials.from_secret(None) is None
    assert GoogleCredentials.from_secret("") is None
    assert GoogleCredentials.from_secret("{}") is None
    assert GoogleCredentials.from_secret("a-generated-placeholder") is None  # the local runtime's value
    with pytest.raises(ValueError):
        GoogleCredentials.from_secret('{"client_id": "x"}')
    creds = GoogleCredentials.from_secret('{"client_id": "a", "client_secret": "b", "refresh_token": "c"}')
    assert creds is not None and creds.api_base == "https://mybusiness.googleapis.com"


def test_google_pages_stop_at_the_last_sync() -> None:
    calls: list[tuple[str, str]] = []
    pages = {None: {"reviews": [
        {"name": "accounts/1/locations/2/reviews/c", "starRating": "FOUR", "createTime": "2026-03-01T00:00:00Z",
         "updateTime": "2026-03-02T00:00:00Z"},
        {"name": "accounts/1/locations/2/reviews/b", "starRating": "TWO", "createTime": "2026-02-01T00:00:00Z"}],
        "nextPageToken": "p2"},
        "p2": {"reviews": [{"name": "accounts/1/locations/2/reviews/a", "starRating": "FIVE",
                            "createTime": "2026-01-01T00:00:00Z"}]}}

    def http(method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> tuple[int, bytes]:
        calls.append((method, url))
        if url.endswith("/token"):
            return 200, json.dumps({"access_token": "t", "expires_in": 3600}).encode()
        assert headers["Authorization"] == "Bearer t"
        token = url.split("pageToken=")[1].split("&")[0] if "pageToken=" in url else None
        return 200, json.dumps(pages[token]).encode()

    creds = GoogleCredentials("a", "b", "c", token_uri="https://oauth.test/token", api_base="https://gbp.test")
    source = GoogleBusinessProfile(GoogleAuth(creds, http), "accounts/1/locations/2")
    assert [r.source_id for r in source.reviews()] == ["c", "b", "a"]
    assert [r.source_id for r in source.reviews(since="2026-02-01T00:00:00Z")] == ["c", "b"]
    assert [r.source_id for r in source.reviews(since="2026-02-15T00:00:00Z")] == ["c"]
    assert sum(url.endswith("/token") for _, url in calls) == 1
    with pytest.raises(SourceError):
        source.post_reply("accounts/9/locations/9/reviews/x", "hi")  # another location's review
    assert google_record({"name": "accounts/1/locations/2/reviews/z", "starRating": "THREE",
                          "createTime": "2026-01-01T00:00:00Z", "reviewer": {"isAnonymous": True}}).author is None
