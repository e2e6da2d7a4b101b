"""Google Business Profile against a local fake server that checks every request (paths, bearer token, bodies):
OAuth refresh, paged listing newest-change first, incremental sync, edits, replies posted back, and the local
default (no credentials: Google skipped)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from revenir.reviews.models import recompute

PID = "demo"
LOCATION = "accounts/1234/locations/5678"
INGEST = "revenir-local-ReviewIngestFunction"
CREDENTIALS = {"client_id": "client-123.apps.googleusercontent.com", "client_secret": "s3cr3t",
               "refresh_token": "1//refresh-token"}


def google_review(review_id: str, stars: str, created: str, updated: str | None = None, **extra: Any
                  ) -> dict[str, Any]:
    return {"name": f"{LOCATION}/reviews/{review_id}", "reviewId": review_id,
            "reviewer": {"displayName": f"Guest {review_id}", "profilePhotoUrl": "https://example.com/p.png"},
            "starRating": stars, "createTime": created, "updateTime": updated or created, **extra}


class FakeGoogle:
    """Google's token endpoint and Business Profile v4 reviews API, strict about what it receives."""

    def __init__(self) -> None:
        self.reviews: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.replies: dict[str, str] = {}
        self.tokens_issued = 0
        self.access_token = "ya29.fake-access-0"
        self.fail_replies: set[str] = set()
        self.page_size_seen: list[int] = []

    def check(self, condition: bool, message: str) -> bool:
        if not condition:
            self.errors.append(message)
        return condition


def make_handler(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {fake.access_token}":
                self.send(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
                return False
            return True

        def do_POST(self) -> None:
            fake.requests.append(("POST", self.path))
            form = parse_qs(self.body().decode())
            ok = fake.check(self.path == "/token", f"POST {self.path}") and fake.check(
                self.headers.get("Content-Type") == "application/x-www-form-urlencoded", "token content type")
            expected = {"grant_type": ["refresh_token"], **{k: [v] for k, v in CREDENTIALS.items()}}
            if not (ok and fake.check(form == expected, f"token form {form}")):
                self.send(400, {"error": "invalid_grant"})
                return
            fake.tokens_issued += 1
            self.send(200, {"access_token": fake.access_token, "expires_in": 3599, "token_type": "Bearer"})

        def do_GET(self) -> None:
            fake.requests.append(("GET", self.path))
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if not fake.check(url.path == f"/v4/{LOCATION}/reviews", f"GET {url.path}"):
                self.send(404, {"error": {"code": 404}})
                return
            if not self.authorised():
                return
            fake.check(query.get("orderBy") == "updateTime desc", f"orderBy {query.get('orderBy')}")
            size = int(query.get("pageSize", "50"))
            fake.page_size_seen.append(size)
            ordered = sorted(fake.reviews.values(), key=lambda r: r["updateTime"], reverse=True)
            start = int(query.get("pageToken", "0"))
            page: dict[str, Any] = {"reviews": ordered[start:start + size], "totalReviewCount": len(ordered)}
            if start + size < len(ordered):
                page["nextPageToken"] = str(start + size)
            self.send(200, page)

        def do_PUT(self) -> None:
            fake.requests.append(("PUT", self.path))
            parts = self.path.removeprefix(f"/v4/{LOCATION}/reviews/").split("/")
            if not fake.check(len(parts) == 2 and parts[1] == "reply" and parts[0] in fake.reviews,
                              f"PUT {self.path}"):
                self.send(404, {"error": {"code": 404}})
                return
            if not self.authorised():
                return
            fake.check(self.headers.get("Content-Type") == "application/json", "reply content type")
            body = json.loads(self.body())
            if not fake.check(set(body) == {"comment"} and body["comment"], f"reply body {body}"):
                self.send(400, {"error": {"code": 400}})
                return
            if parts[0] in fake.fail_replies:
                self.send(503, {"error": {"code": 503, "status": "UNAVAILABLE"}})
                return
            fake.replies[parts[0]] = body["comment"]
            fake.reviews[parts[0]]["reviewReply"] = {"comment": body["comment"], "updateTime": "2026-11-20T10:00:00Z"}
            self.send(200, {"comment": body["comment"], "updateTime": "2026-11-20T10:00:00Z"})

    return Handler


@pytest.fixture
def google() -> Iterator[tuple[FakeGoogle, str]]:
    fake = FakeGoogle()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def configure_secret(value: dict[str, Any]) -> None:
    import boto3

    from functions.reviews.app import forget_google

    boto3.client("secretsmanager").put_secret_value(SecretId=os.environ["GOOGLE_SECRET_NAME"],
                                                   SecretString=json.dumps(value))
    forget_google()


def aggregates_match() -> bool:
    from functions.reviews.app import wiring

    repository = wiring()[0]
    _, counters = repository.meta(PID)
    stored = {k: v for k, v in (counters or {}).items() if k.startswith(("n_", "sum_")) and v}
    return stored == recompute(repository.all_reviews(PID))


def test_google_reviews_are_synced_incrementally_and_replies_posted_back(
        api: Any, admin: dict[str, str], lambdas: Any, google: tuple[FakeGoogle, str]) -> None:
    from functions.reviews.app import forget_google
    from local import outbox

    fake, base = google
    fake.reviews = {
        "g1": google_review("g1", "FIVE", "2026-10-01T08:00:00.123456Z", comment="Magnifique !"),
        "g2": google_review("g2", "TWO", "2026-10-05T09:30:00Z", comment="Bruyant la nuit."),
        "g3": google_review("g3", "FOUR", "2026-10-07T18:00:00Z", reviewer={"isAnonymous": True},
                            reviewReply={"comment": "Merci !", "updateTime": "2026-10-08T07:00:00Z"}),
    }
    settings = api.put(f"/v1/admin/properties/{PID}/review-settings", json={"google_location": LOCATION},
                       headers=admin)
    assert settings.status_code == 200, settings.json

    # Locally the secret holds a generated placeholder: Google is not configured, the schedule skips it
    forget_google()
    skipped = lambdas.invoke(INGEST, {})
    assert (skipped["properties"], skipped["skipped"], fake.requests) == (0, 1, [])

    configure_secret({**CREDENTIALS, "token_uri": f"{base}/token", "api_base": base})
    first = lambdas.invoke(INGEST, {})
    assert (first["properties"], first["created"], first["failed"]) == (1, 3, []), first
    assert fake.errors == [] and fake.tokens_issued == 1
    assert first["alerts"]["sent"] == 1  # g2: 2 stars <= 3
    assert "Google" in outbox.messages()[0]["subject"]

    reviews = {r["source_id"]: r for r in api.get(f"/v1/admin/properties/{PID}/reviews?source=google",
                                                  headers=admin).json["reviews"]}
    assert (reviews["g1"]["rating"], reviews["g1"]["rating_original"], reviews["g1"]["rating_scale"]) == (
        5.0, "FIVE", "1-5 stars")
    assert reviews["g1"]["created_at"] == "2026-10-01T08:00:00Z" and reviews["g1"]["categories"] == {}
    assert reviews["g3"]["author"] is None and reviews["g3"]["source_reply"]["text"] == "Merci !"
    assert reviews["g3"]["answered"] and not reviews["g2"]["answered"]
    summary = api.get(f"/v1/properties/{PID}/reviews/summary").json
    assert summary["sources"]["google"] == {"label": "Google", "average": 3.67, "count": 3}
    assert aggregates_match()

    # Next tick: only what changed since the newest update seen (one page read, nothing written)
    fake.requests.clear()
    second = lambdas.invoke(INGEST, {})
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 1)
    assert [m for m, _ in fake.requests] == ["GET"] and fake.tokens_issued == 1  # the access token is reused

    # The guest edits a review on Google: stars and text change, the aggregates follow, no second alert
    fake.reviews["g2"] |= {"starRating": "ONE", "comment": "Très bruyant.", "updateTime": "2026-11-01T10:00:00Z"}
    third = lambdas.invoke(INGEST, {})
    assert (third["created"], third["updated"], third["alerts"]["sent"]) == (0, 1, 0)
    assert api.get(f"/v1/properties/{PID}/reviews/summary").json["sources"]["google"]["average"] == round(10 / 3, 2)
    assert aggregates_match()

    # A reply is posted back to Google (PUT …/reviews/g2/reply {"comment"}) and stored here
    reply = api.put(f"/v1/admin/properties/{PID}/reviews/{reviews['g2']['review_id']}/reply",
                    json={"text": "Nous sommes désolés, double vitrage prévu."}, headers=admin).json
    assert reply["host_reply"]["status"] == "posted" and fake.replies["g2"].startswith("Nous sommes")
    assert ("PUT", f"/v4/{LOCATION}/reviews/g2/reply") in fake.requests and fake.errors == []

    # Google down for this reply: kept, marked failed, and the host can try again
    fake.fail_replies.add("g1")
    failed = api.put(f"/v1/admin/properties/{PID}/reviews/{reviews['g1']['review_id']}/reply",
                     json={"text": "Merci beaucoup !"}, headers=admin).json
    assert failed["host_reply"]["status"] == "failed" and "503" in failed["host_reply"]["error"]
    assert failed["host_reply"]["text"] == "Merci beaucoup !"
    fake.fail_replies.clear()
    retried = api.put(f"/v1/admin/properties/{PID}/reviews/{reviews['g1']['review_id']}/reply",
                      json={"text": "Merci beaucoup !"}, headers=admin).json
    assert retried["host_reply"]["status"] == "posted"


def test_an_expired_access_token_is_refreshed_once(api: Any, admin: dict[str, str], lambdas: Any,
                                                   google: tuple[FakeGoogle, str]) -> None:
    fake, base = google
    fake.reviews = {"g1": google_review("g1", "FIVE", "2026-10-01T08:00:00Z")}
    api.put(f"/v1/admin/properties/{PID}/review-settings", json={"google_location": LOCATION}, headers=admin)
    configure_secret({**CREDENTIALS, "token_uri": f"{base}/token", "api_base": base})
    assert lambdas.invoke(INGEST, {})["created"] == 1
    fake.access_token = "ya29.fake-access-1"  # Google revoked the first token
    fake.reviews["g2"] = google_review("g2", "THREE", "2026-11-02T08:00:00Z")
    report = lambdas.invoke(INGEST, {})
    assert (report["created"], fake.tokens_issued, report["failed"]) == (1, 2, [])


def test_bad_credentials_fail_that_property_only(api: Any, admin: dict[str, str], lambdas: Any,
                                                 google: tuple[FakeGoogle, str]) -> None:
    _, base = google
    api.put(f"/v1/admin/properties/{PID}/review-settings", json={"google_location": LOCATION}, headers=admin)
    configure_secret({**CREDENTIALS, "refresh_token": "revoked", "token_uri": f"{base}/token", "api_base": base})
    report = lambdas.invoke(INGEST, {})
    assert report["properties"] == 1 and report["failed"][0]["property_id"] == PID
    assert "credentials" in report["failed"][0]["error"]
    bad = api.put(f"/v1/admin/properties/{PID}/review-settings", json={"google_location": "my place"},
                  headers=admin)
    assert bad.status_code == 400 and bad.json["error"]["details"][0]["field"] == "body.google_location"
