"""Reviews through the real handlers: the guest's signed form (from the post-stay e-mail), Booking.com and Airbnb
imports (duplicates, edits, every scale), aggregates equal to a recomputation, the admin list, replies, notes and
the host's alert."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from revenir.core import clock
from revenir.reviews.models import recompute

PID = "demo"


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def local_day(offset: int) -> date:
    return clock.local_today("Europe/Brussels") + timedelta(days=offset)


def put_booking(api: Any, admin: dict[str, str], booking_id: str = "B-1", arrival: int = -4, nights: int = 2,
                property_id: str = PID, **overrides: Any) -> Any:
    body = {"first_name": "Julie", "last_name": "Peeters", "email": f"{booking_id.lower()}@example.com",
            "language": "en", "arrival": str(local_day(arrival)), "departure": str(local_day(arrival + nights)),
            "adults": 2, "offer_ids": ["gite-bout-du-monde"], "channel": "direct", "marketing_consent": True,
            **overrides}
    response = api.put(f"/v1/properties/{property_id}/bookings/{booking_id}", json=body, headers=admin)
    assert response.status_code in (200, 201), response.json
    return response


def sign(property_id: str, booking_id: str) -> str:
    from functions.reviews.app import signer

    return signer().sign("review", property_id, booking_id)


def form_body(booking_id: str = "B-1", token: str | None = None, **overrides: Any) -> dict[str, Any]:
    return {"booking_id": booking_id, "token": token or sign(PID, booking_id), "rating": 5,
            "categories": {"cleanliness": 5, "location": 4, "value": 4}, "title": "Un séjour parfait",
            "text": "Très bon accueil, gîte impeccable.", **overrides}


def stats(aws: Any, property_id: str = PID) -> dict[str, int]:
    from functions.reviews.app import wiring

    _, counters = wiring()[0].meta(property_id)
    return {k: v for k, v in (counters or {}).items() if k.startswith(("n_", "sum_")) and v}


def recomputed(property_id: str = PID) -> dict[str, int]:
    from functions.reviews.app import wiring

    return recompute(wiring()[0].all_reviews(property_id))


BOOKING_CSV = """\ufeffReview date;Guest name;Reservation number;Review title;Positive review;Negative review;\
Review score;Staff;Facilities;Cleanliness;Comfort;Value for money;Location;Free WiFi;Property reply
2026-09-02;Anna;4001;Superbe;Le calme, la vue;;9;10;8;9;9;8;10;7;
2026-09-10;Jonas;4002;Bien;Petit-déjeuner;Un peu bruyant;7;8;7;7;6;7;8;;Merci Jonas !
12/09/2026;Luc;4003;Déçu;;Sale à l'arrivée;4;5;4;2;4;3;6;;
"""

AIRBNB_JSON = [
    {"id": "ab-1", "date": "2026-08-20", "reviewer": "Julie", "confirmation_code": "HMP4KFP3M5", "overall_rating": 5,
     "category_ratings": {"cleanliness": 5, "accuracy": 5, "checkin": 5, "communication": 5, "location": 5,
                          "value": 4},
     "public_review": "Heel aangenaam en mooi verblijf!", "language": "nl"},
    {"id": "ab-2", "date": "2026-08-25", "reviewer": "Yoël", "confirmation_code": "HM2XKR8RPZ", "overall_rating": 4,
     "category_ratings": {"cleanliness": 4, "accuracy": 4, "checkin": 5, "communication": 5, "location": 4,
                          "value": 4},
     "public_review": "Accueil chaleureux.", "response": "Merci à vous :)"},
]


def import_file(api: Any, admin: dict[str, str], source: str, content: str, property_id: str = PID) -> Any:
    return api.post(f"/v1/admin/properties/{property_id}/reviews/imports/{source}", data=content.encode(),
                    headers={**admin, "Content-Type": "text/csv" if not content.lstrip().startswith("[")
                             else "application/json"})


# ---------------------------------------------------------------- our own form, from the post-stay e-mail
def test_the_post_stay_emails_link_opens_the_form_and_a_guest_reviews_once(api: Any, admin: dict[str, str]) -> None:
    put_booking(api, admin)
    preview = api.post(f"/v1/admin/properties/{PID}/mail-templates/post_stay_offer/preview",
                       json={"booking_id": "B-1", "language": "en"}, headers=admin)
    assert preview.status_code == 200, preview.json
    link = next(w for w in preview.json["text"].split() if "/reviews/form?" in w)
    url = urlparse(link)
    assert url.path == f"/v1/properties/{PID}/reviews/form"
    page = api.get(f"{url.path}?{url.query}")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'id="review"' in page.get_data(as_text=True) and "Julie" not in page.get_data(as_text=True)

    token = parse_qs(url.query)["t"][0]
    response = api.post(f"/v1/properties/{PID}/reviews", json=form_body(token=token))
    assert response.status_code == 201, response.json
    review = response.json
    assert (review["source"], review["source_id"], review["booking_id"]) == ("direct", "B-1", "B-1")
    assert review["rating"] == 5.0 and review["author"] == "Julie P."
    assert review["categories"]["cleanliness"] == {"score": 5.0, "original": "5", "source_field": "cleanliness"}

    summary = api.get(f"/v1/properties/{PID}/reviews/summary").json
    assert (summary["average"], summary["count"]) == (5.0, 1)
    assert summary["language"] == "fr"  # the reviews widget's fallback: the property's language
    assert summary["categories"]["location"] == {"label": "Location", "average": 4.0, "count": 1}
    assert summary["latest"][0]["text"] == "Très bon accueil, gîte impeccable."
    assert "booking_id" not in summary["latest"][0] and "note" not in summary["latest"][0]

    again = api.post(f"/v1/properties/{PID}/reviews", json=form_body(token=token, rating=1))
    assert again.status_code == 409 and again.json["error"]["code"] == "review_already_submitted"
    assert 'data-state="done"' in api.get(f"{url.path}?{url.query}").get_data(as_text=True)
    assert api.get(f"/v1/properties/{PID}/reviews/summary").json["count"] == 1


def test_forged_reused_and_other_property_tokens_are_refused(api: Any, admin: dict[str, str], token: Any) -> None:
    put_booking(api, admin, "B-1")
    put_booking(api, admin, "B-2")
    other = {"name": "Autre gîte", "time_zone": "Europe/Brussels", "default_language": "fr", "currency": "EUR",
             "contact_email": "host@other.example", "sender_email": "sejour@revenir.example"}
    assert api.put("/v1/admin/properties/other", json=other, headers=token("other")).status_code == 201
    put_booking(api, token("other"), "B-1", property_id="other")

    def post(property_id: str, body: dict[str, Any]) -> Any:
        return api.post(f"/v1/properties/{property_id}/reviews", json=body)

    forged = post(PID, form_body(token="A" * 24))
    assert forged.status_code == 403 and forged.json["error"]["code"] == "invalid_review_token"
    other_booking = post(PID, form_body("B-2", token=sign(PID, "B-1")))  # B-1's token for B-2
    assert other_booking.status_code == 403 and other_booking.json["error"]["code"] == "invalid_review_token"
    other_property = post("other", form_body("B-1", token=sign(PID, "B-1")))  # demo's token at another property
    assert other_property.status_code == 403 and other_property.json["error"]["code"] == "invalid_review_token"
    page = api.get(f"/v1/properties/{PID}/reviews/form?b=B-1&t=forged-token-000")
    assert page.status_code == 403 and 'data-error="invalid_review_token"' in page.get_data(as_text=True)

    assert post(PID, form_body("B-1")).status_code == 201
    reused = post(PID, form_body("B-1", rating=1, text="changed my mind"))
    assert reused.status_code == 409 and reused.json["error"]["code"] == "review_already_submitted"
    assert post("other", form_body("B-1", token=sign("other", "B-1"))).status_code == 201  # its own token works

    missing = post(PID, form_body("B-404"))
    assert missing.status_code == 404 and missing.json["error"]["code"] == "booking_not_found"
    put_booking(api, admin, "B-3", status="cancelled")
    assert post(PID, form_body("B-3")).json["error"]["code"] == "booking_cancelled"
    put_booking(api, admin, "B-4", arrival=10)
    assert post(PID, form_body("B-4")).json["error"]["code"] == "stay_not_started"
    bad = post(PID, form_body("B-2", rating=6, categories={"cleanliness": 9, "wifi": 3}))
    assert bad.status_code == 400 and {d["field"] for d in bad.json["error"]["details"]} >= {
        "body.rating", "body.categories.cleanliness"}
    summary = api.get(f"/v1/properties/{PID}/reviews/summary").json
    assert summary["count"] == 1 and stats(None) == recomputed()


# ---------------------------------------------------------------- imports: duplicates, edits, scales, mapping
def test_a_booking_export_imports_once_and_edits_update(api: Any, admin: dict[str, str], aws: Any) -> None:
    first = import_file(api, admin, "booking", BOOKING_CSV)
    assert first.status_code == 200, first.json
    assert {k: first.json[k] for k in ("received", "created", "updated", "unchanged")} == {
        "received": 3, "created": 3, "updated": 0, "unchanged": 0}
    after_first = stats(aws)
    assert after_first == recomputed()
    # Booking's 1–10 is halved: 9 -> 4.5, 7 -> 3.5, 4 -> 2.0; mean 3.33
    summary = api.get(f"/v1/properties/{PID}/reviews/summary").json
    assert (summary["count"], summary["average"]) == (3, 3.33)
    assert summary["sources"] == {"booking": {"label": "Booking.com", "average": 3.33, "count": 3}}
    assert summary["categories"]["staff"]["average"] == round((10 + 8 + 5) / 2 / 3, 2)
    assert summary["categories"]["value"]["count"] == 3 and "free_wifi" not in summary["categories"]

    # The same file again: nothing written
    aws.CALLS.clear()
    repeat = import_file(api, admin, "booking", BOOKING_CSV).json
    assert (repeat["created"], repeat["updated"], repeat["unchanged"]) == (0, 0, 3)
    assert aws.CALLS["dynamodb.TransactWriteItems"] == 0 and stats(aws) == after_first

    # Luc edits his review (4 -> 6) and the host's reply to Anna shows up in the export: two updates
    edited = BOOKING_CSV.replace("Sale à l'arrivée;4;5;4;2", "Sale à l'arrivée;6;5;4;2").replace(
        "10;7;\n", "10;7;Merci Anna\n")
    result = import_file(api, admin, "booking", edited).json
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 2, 1)
    assert stats(aws) == recomputed()
    assert api.get(f"/v1/properties/{PID}/reviews/summary").json["average"] == round((4.5 + 3.5 + 3.0) / 3, 2)
    reviews = api.get(f"/v1/admin/properties/{PID}/reviews?source=booking", headers=admin).json["reviews"]
    luc = next(r for r in reviews if r["author"] == "Luc")
    assert (luc["rating"], luc["rating_original"], luc["rating_scale"]) == (3.0, "6", "1-10")
    assert luc["categories"]["value"] == {"score": 1.5, "original": "3", "source_field": "value_for_money"}
    anna = next(r for r in reviews if r["author"] == "Anna")
    assert anna["answered"] and anna["reply"]["text"] == "Merci Anna" and anna["unmapped"] == {"free_wifi": "7"}
    assert anna["text"] == "+ Le calme, la vue" and anna["booking_id"] == "4001"


def test_airbnb_exports_keep_their_1_to_5_scale_and_map_categories(api: Any, admin: dict[str, str]) -> None:
    report = import_file(api, admin, "airbnb", json.dumps(AIRBNB_JSON)).json
    assert (report["created"], report["rejected"]) == (2, [])
    reviews = {r["source_id"]: r for r in api.get(f"/v1/admin/properties/{PID}/reviews",
                                                    headers=admin).json["reviews"]}
    julie = reviews["ab-1"]
    assert (julie["rating"], julie["rating_scale"], julie["booking_id"]) == (5.0, "1-5", "HMP4KFP3M5")
    assert julie["categories"]["check_in"] == {"score": 5.0, "original": "5", "source_field": "checkin"}
    assert set(julie["categories"]) == {"cleanliness", "accuracy", "check_in", "communication", "location", "value"}
    assert reviews["ab-2"]["reply"]["text"] == "Merci à vous :)"
    summary = api.get(f"/v1/properties/{PID}/reviews/summary").json
    assert summary["average"] == 4.5 and summary["categories"]["value"]["average"] == 4.0
    assert summary["distribution"] == {"5": 1, "4": 1, "3": 0, "2": 0, "1": 0}


def test_bad_rows_are_reported_and_bad_files_refused(api: Any, admin: dict[str, str]) -> None:
    rows = [{"id": "x1", "date": "2026-08-20", "overall_rating": 7},  # outside Airbnb's 1–5
            {"id": "x2", "date": "not a date", "overall_rating": 4},
            {"id": "x3", "overall_rating": 4},
            {"id": "x4", "date": "2026-08-21", "overall_rating": 4}]
    report = import_file(api, admin, "airbnb", json.dumps(rows)).json
    assert report["created"] == 1 and [r["row"] for r in report["rejected"]] == [1, 2, 3]
    assert "scale" in report["rejected"][0]["error"]
    assert import_file(api, admin, "airbnb", "").json["error"]["code"] == "empty_file"
    assert import_file(api, admin, "airbnb", "[1, 2]").json["error"]["code"] == "invalid_export"
    assert import_file(api, admin, "expedia", "[]").status_code in (400, 404)


def test_concurrent_edits_of_one_review_never_double_count(api: Any, admin: dict[str, str]) -> None:
    from functions.reviews.app import wiring
    from revenir.reviews.models import make_record

    service = wiring()[1]
    import_file(api, admin, "airbnb", json.dumps(AIRBNB_JSON))
    edits = [make_record("airbnb", "ab-1", 1 + i % 5, "2026-08-20T00:00:00Z", text=f"edit {i}",
                         categories={"cleanliness": 1 + (i * 3) % 5}) for i in range(12)]
    errors: list[Exception] = []

    def run(record: Any) -> None:
        try:
            service.ingest(PID, [record])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in edits]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Each edit either applied or (under this much contention) gave up with 409 concurrent_change: never half
    assert all(getattr(e, "code", None) == "concurrent_change" for e in errors) and len(errors) < len(edits)
    assert stats(None) == recomputed()
    assert api.get(f"/v1/properties/{PID}/reviews/summary").json["count"] == 2


# ---------------------------------------------------------------- admin: list, reply, note, alert
def test_the_admin_list_filters_and_pages(api: Any, admin: dict[str, str], token: Any) -> None:
    import_file(api, admin, "booking", BOOKING_CSV)
    import_file(api, admin, "airbnb", json.dumps(AIRBNB_JSON))

    def ids(query: str) -> list[str]:
        response = api.get(f"/v1/admin/properties/{PID}/reviews?{query}", headers=admin)
        assert response.status_code == 200, response.json
        return [r["author"] for r in response.json["reviews"]]

    assert ids("") == ["Luc", "Jonas", "Anna", "Yoël", "Julie"]  # newest first
    assert ids("source=airbnb") == ["Yoël", "Julie"]
    assert ids("max_rating=3.5") == ["Luc", "Jonas"]
    assert ids("min_rating=4.5") == ["Anna", "Julie"]
    assert ids("answered=true") == ["Jonas", "Yoël"]
    assert ids("answered=false&source=booking") == ["Luc", "Anna"]
    assert ids("from=2026-09-01&to=2026-09-10") == ["Jonas", "Anna"]
    first = api.get(f"/v1/admin/properties/{PID}/reviews?limit=2", headers=admin).json
    second = api.get(f"/v1/admin/properties/{PID}/reviews?limit=2&cursor={first['next_cursor']}", headers=admin).json
    third = api.get(f"/v1/admin/properties/{PID}/reviews?limit=2&cursor={second['next_cursor']}", headers=admin).json
    assert [r["author"] for r in first["reviews"] + second["reviews"] + third["reviews"]] == ids("")
    assert third["next_cursor"] is None
    bad = api.get(f"/v1/admin/properties/{PID}/reviews?cursor=bm9wZQ", headers=admin)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_cursor"
    assert api.get(f"/v1/admin/properties/{PID}/reviews", headers=token("other")).status_code == 403
    assert api.get(f"/v1/admin/properties/{PID}/reviews").status_code == 401


def test_replies_are_stored_everywhere_and_notes_stay_private(api: Any, admin: dict[str, str]) -> None:
    import_file(api, admin, "booking", BOOKING_CSV)
    put_booking(api, admin)
    direct = api.post(f"/v1/properties/{PID}/reviews", json=form_body()).json
    luc = api.get(f"/v1/admin/properties/{PID}/reviews?max_rating=2", headers=admin).json["reviews"][0]

    base = f"/v1/admin/properties/{PID}/reviews"
    replied = api.put(f"{base}/{luc['review_id']}/reply", json={"text": "Désolés, nous avons revu le ménage."},
                      headers=admin).json
    assert replied["answered"] and replied["host_reply"]["status"] == "stored_only"
    published = api.put(f"{base}/{direct['review_id']}/reply", json={"text": "Merci Julie !"}, headers=admin).json
    assert published["reply"]["status"] == "published"
    noted = api.put(f"{base}/{luc['review_id']}/note", json={"text": "Femme de ménage absente ce jour-là"},
                    headers=admin).json
    assert noted["note"] == "Femme de ménage absente ce jour-là"
    assert api.get(f"{base}/{luc['review_id']}", headers=admin).json["note"] == noted["note"]

    summary = api.get(f"/v1/properties/{PID}/reviews/summary?latest=10").json
    public = {r["review_id"]: r for r in summary["latest"]}
    assert public[direct["review_id"]]["reply"] == {"text": "Merci Julie !", "at": published["reply"]["at"],
                                                    "status": None, "error": None}
    assert "Femme de ménage" not in json.dumps(summary)
    cleared = api.put(f"{base}/{luc['review_id']}/note", json={"text": ""}, headers=admin).json
    assert cleared["note"] is None
    missing = api.put(f"{base}/rv_booking_{'0' * 24}/reply", json={"text": "x"}, headers=admin)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "review_not_found"
    assert stats(None) == recomputed()  # replies and notes never touch the aggregates


def test_a_low_review_alerts_the_host_once(api: Any, admin: dict[str, str], lambdas: Any) -> None:
    from local import outbox

    import_file(api, admin, "booking", BOOKING_CSV)  # Luc: 4/10 = 2.0 <= 3 (default threshold)
    alerts = [m for m in outbox.messages() if "review" in m["subject"].lower() or "avis" in m["subject"].lower()]
    assert len(alerts) == 1, [m["subject"] for m in outbox.messages()]
    alert = alerts[0]
    assert alert["to"] == ["accueil@moulin.revenir.example"]
    assert "2/5" in alert["subject"] and "Booking.com" in alert["subject"]
    assert "Sale à l'arrivée" in alert["text"] and "4 (1-10)" in alert["text"]
    import_file(api, admin, "booking", BOOKING_CSV.replace("Sale à l'arrivée;4", "Sale à l'arrivée;3"))  # edit
    assert lambdas.invoke("revenir-local-ReviewIngestFunction", {})["alerts"]["read"] == 0
    assert len(outbox.messages()) == 1

    settings = {"alert_threshold": 4, "alert_email": "Gerant@Example.com"}
    stored = api.put(f"/v1/admin/properties/{PID}/review-settings", json=settings, headers=admin)
    assert stored.status_code == 200 and stored.json["alert_email"] == "gerant@example.com"
    put_booking(api, admin)
    api.post(f"/v1/properties/{PID}/reviews", json=form_body(rating=4, categories={}))
    assert outbox.messages()[0]["to"] == ["gerant@example.com"] and len(outbox.messages()) == 2
    luc = api.get(f"/v1/admin/properties/{PID}/reviews?max_rating=2", headers=admin).json["reviews"][0]
    assert luc["alert"] == "sent"
    off = api.put(f"/v1/admin/properties/{PID}/review-settings", json={"alerts_enabled": False}, headers=admin)
    assert off.json["alert_threshold"] == 3.0
    import_file(api, admin, "airbnb", json.dumps([{**AIRBNB_JSON[0], "id": "ab-low", "overall_rating": 1}]))
    assert len(outbox.messages()) == 2


def test_the_demo_reviews_seed_is_idempotent(api: Any, admin: dict[str, str]) -> None:
    from local import demo_reviews

    put_booking(api, admin, "DEMO-1003", first_name="Jonas", last_name="Becker", email="jonas.becker@example.com")
    demo_reviews.seed(api, admin)
    first = api.get(f"/v1/properties/{PID}/reviews/summary").json
    demo_reviews.seed(api, admin)
    second = api.get(f"/v1/properties/{PID}/reviews/summary").json
    assert first == second and first["count"] == 6
    assert set(first["sources"]) == {"booking", "airbnb", "direct"}
    assert stats(None) == recomputed()
