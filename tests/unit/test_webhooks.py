"""Domain events and signed webhooks without AWS: the envelope, Standard Webhooks signatures (verified by the
standardwebhooks library itself), endpoint URLs, backoff, the delivery loop, usage reports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from revenir.codes.usage import UsageRow, totals, usage_csv
from revenir.events.models import EVENT_TYPES, Event, envelope, openapi_webhooks
from revenir.events.outbox import RECORD_TYPE, bus_entry, event_of_image, outbox_put
from revenir.vouchers.usage import uses_of
from revenir.webhooks.delivery import Deliverer, Response, backoff, http_post, sign
from revenir.webhooks.models import EndpointInput, check_url
from revenir.webhooks.service import new_secret

DATA = {"booking_id": "B-1", "code": "MERCI", "kind": "promo_code", "promo_id": "pc_1", "status": "confirmed",
        "discount": {"amount": 5000, "currency": "EUR"}}


def test_the_envelope_is_versioned_and_checked_against_the_type_s_model() -> None:
    event = envelope("code.redeemed", "evt_1", "2026-12-01T10:00:00Z", "demo", {**DATA, "internal": "dropped"})
    assert event.model_dump() == {"type": "code.redeemed", "version": 1, "id": "evt_1",
                                  "occurred_at": "2026-12-01T10:00:00Z", "property_id": "demo", "data": DATA}
    with pytest.raises(ValueError, match="unknown event type"):
        envelope("code.stolen", "evt_1", "2026-12-01T10:00:00Z", "demo", DATA)
    with pytest.raises(ValidationError):
        envelope("code.redeemed", "evt_1", "2026-12-01T10:00:00Z", "demo", {"booking_id": "B-1"})


def test_an_outbox_item_is_a_conditional_put_on_its_own_partition_with_a_ttl() -> None:
    now = datetime(2026, 12, 1, 10, tzinfo=UTC)
    put = outbox_put("t", "demo", "guest.unsubscribed", {"guest_email": "a@example.org"}, now)["Put"]
    item = put["Item"]
    assert put["ConditionExpression"] == "attribute_not_exists(pk)"
    assert item["pk"]["S"].startswith("PROPERTY#demo#EVENT#evt_") and item["sk"]["S"] == "EVENT"
    assert item["record_type"]["S"] == RECORD_TYPE
    assert int(item["expires_at_epoch"]["N"]) == int((now + timedelta(days=1)).timestamp())
    event = event_of_image(item)
    assert event is not None and event.type == "guest.unsubscribed" and event.data == {"guest_email": "a@example.org"}
    assert event_of_image({"record_type": {"S": "something_else"}}) is None
    entry = bus_entry(event, "bus")
    assert (entry["Source"], entry["DetailType"], json.loads(entry["Detail"])["id"]) == (
        "revenir", "guest.unsubscribed", event.id)


def test_every_event_type_is_documented_as_an_openapi_webhook() -> None:
    webhooks, schemas = openapi_webhooks()
    assert set(webhooks) == set(EVENT_TYPES)
    body = webhooks["code.redeemed"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CodeRedeemedEvent"}
    assert schemas["CodeRedeemedEvent"]["properties"]["type"]["const"] == "code.redeemed"
    assert "CodeRedeemed" in schemas and "EventMoney" in schemas


def test_signatures_verify_with_the_standardwebhooks_library() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_") and len(secret) > 30
    body = json.dumps({"type": "code.redeemed"})
    headers = sign(secret, "evt_1", body)
    assert Webhook(secret).verify(body, headers) == {"type": "code.redeemed"}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("code", "cade"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    stale = sign(secret, "evt_1", body, datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(body, stale)


@pytest.mark.parametrize(("url", "ok"), [
    ("https://hooks.example.com/revenir", True),
    ("https://hooks.example.com:8443/x?y=1", True),
    ("http://hooks.example.com/x", False),
    ("ftp://hooks.example.com/x", False),
    ("https://127.0.0.1/x", False),
    ("https://10.1.2.3/x", False),
    ("https://192.168.1.1/x", False),
    ("https://169.254.169.254/", False),
    ("https://[::1]/x", False),
    ("https://[::ffff:10.0.0.1]/x", False),
    ("https://localhost/x", False),
    ("https://printer.local/x", False),
    ("https://intranet/x", False),
    ("https://a:b@hooks.example.com/x", False),
    ("https://hooks.example.com:99999/x", False),
])
def test_endpoint_urls(url: str, ok: bool) -> None:
    assert (check_url(url) == "") is ok


def test_the_configured_local_hosts_are_the_only_exception() -> None:
    local = frozenset({"127.0.0.1"})
    assert check_url("http://127.0.0.1:8123/hook", local) == ""
    assert check_url("http://127.0.0.2:8123/hook", local) != ""
    assert check_url("ftp://127.0.0.1/hook", local) != ""


def test_event_types_must_be_known() -> None:
    assert EndpointInput(url="https://h.example.com", event_types=["code.released", "code.redeemed",
                                                                    "code.redeemed"]).event_types == [
        "code.redeemed", "code.released"]
    with pytest.raises(ValidationError, match=r"unknown event types: code\.stolen"):
        EndpointInput(url="https://h.example.com", event_types=["code.stolen"])


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n, 60) for n in range(1, 6)] == [60, 120, 240, 480, 960]
    assert backoff(30, 60) == 6 * 3600


class FakeRepository:
    """The delivery loop's view of the store, in memory."""

    def __init__(self, endpoints: list[dict[str, Any]]):
        self._endpoints = endpoints
        self.deliveries: dict[tuple[str, str], dict[str, Any]] = {}

    def endpoints(self, property_id: str) -> list[dict[str, Any]]:
        return [e for e in self._endpoints if e["property_id"] == property_id]

    def endpoint(self, property_id: str, endpoint_id: str) -> dict[str, Any]:
        return next(e for e in self.endpoints(property_id) if e["id"] == endpoint_id)

    def start_delivery(self, endpoint_id: str, event: Event, now: datetime) -> dict[str, Any]:
        return self.deliveries.setdefault((endpoint_id, event.id), {
            "id": event.id, "event": event.model_dump_json(), "status": "pending", "attempts": 0, "log": []})

    def delivery(self, property_id: str, endpoint_id: str, delivery_id: str) -> dict[str, Any]:
        return self.deliveries[(endpoint_id, delivery_id)]

    def record_attempt(self, delivery: dict[str, Any], attempt: dict[str, Any], status: str,
                       next_attempt_at: str | None) -> dict[str, Any]:
        delivery.update(status=status, attempts=delivery["attempts"] + 1, log=[*delivery["log"], attempt])
        return delivery


def _endpoint(endpoint_id: str, property_id: str = "demo", **extra: Any) -> dict[str, Any]:
    return {"id": endpoint_id, "property_id": property_id, "url": f"https://hooks.example.com/{endpoint_id}",
            "event_types": ["code.redeemed"], "enabled": True, "secret": new_secret(), **extra}


def test_the_delivery_loop_retries_failures_only_and_kills_after_the_limit(monkeypatch: Any) -> None:
    monkeypatch.setattr("revenir.webhooks.delivery.resolve", lambda url: ["93.184.215.14"])
    repo = FakeRepository([_endpoint("ok"), _endpoint("down"), _endpoint("off", enabled=False),
                           _endpoint("other", property_id="elsewhere"),
                           _endpoint("types", event_types=["code.released"])])
    posted: list[str] = []

    def post(url: str, body: bytes, headers: dict[str, str], timeout: float, address: str | None = None
             ) -> Response:
        assert address == "93.184.215.14"  # the checked address, pinned
        posted.append(url.rsplit("/", 1)[1])
        Webhook(repo.endpoint("demo", url.rsplit("/", 1)[1])["secret"]).verify(body, headers)
        return Response(204) if url.endswith("/ok") else Response(503, "HTTP 503")

    deliverer = Deliverer(repo, post, max_attempts=3, backoff_base=10)  # type: ignore[arg-type]
    event = envelope("code.redeemed", "evt_1", "2026-12-01T10:00:00Z", "demo", DATA)
    message = {"detail-type": "code.redeemed", "source": "revenir", "detail": event.model_dump()}
    assert deliverer.handle(message) == 10
    assert deliverer.handle(message) == 20
    assert deliverer.handle(message) is None  # the third failure is the last: dead
    assert posted == ["ok", "down", "down", "down"]  # a success is never repeated; others never called
    down = repo.deliveries[("down", "evt_1")]
    assert (down["status"], down["attempts"], [a["status_code"] for a in down["log"]]) == ("dead", 3, [503] * 3)
    down.update(status="pending", attempts=0)  # what a replay does
    assert deliverer.handle({"replay": {"property_id": "demo", "endpoint_id": "down", "delivery_id": "evt_1"}}) == 10


def test_a_public_name_that_resolves_to_a_private_address_is_not_called(monkeypatch: Any) -> None:
    monkeypatch.setattr("revenir.webhooks.delivery.resolve", lambda url: ["93.184.215.14", "10.0.0.7"])
    repo = FakeRepository([_endpoint("ok")])
    deliverer = Deliverer(repo, lambda *a: pytest.fail("called"), max_attempts=1)  # type: ignore[arg-type]
    event = envelope("code.redeemed", "evt_1", "2026-12-01T10:00:00Z", "demo", DATA)
    assert deliverer.handle({"detail": event.model_dump()}) is None
    assert repo.deliveries[("ok", "evt_1")]["log"][0]["error"] == "the URL's host resolves to a private address"


def test_usage_totals_leave_releases_out_and_the_csv_is_neutralised() -> None:
    rows = [UsageRow(date="2026-12-01", created_at="x", booking_id="B-1", guest_email="=cmd|'/c calc'!A1",
                     discount={"amount": 5000, "currency": "EUR"}, booking_total={"amount": 39600, "currency": "EUR"},
                     status="confirmed"),
            UsageRow(date="2026-12-01", created_at="y", booking_id="B-2", discount={"amount": 1000, "currency": "EUR"},
                     booking_total={"amount": 10000, "currency": "EUR"}, status="released")]
    assert totals(rows).model_dump() == {"uses": 1, "released": 1, "discount": {"EUR": 5000},
                                         "booking_total": {"EUR": 39600}}
    lines = usage_csv(rows, "fr").lstrip("\ufeff").split("\r\n")
    assert lines[0] == "Date;Réservation;E-mail du client;Remise;Total du séjour;Devise;Statut"
    assert lines[1] == "2026-12-01;B-1;'=cmd|'/c calc'!A1;50,00;396,00;EUR;confirmé"
    english = usage_csv(rows, "en").lstrip("\ufeff").split("\r\n")  # the shared writer: `,` and `.` in English
    assert english[2] == "2026-12-01,B-2,,10.00,100.00,EUR,released"


def test_voucher_uses_net_releases_per_booking_on_the_property_s_day() -> None:
    ledger = [{"kind": "issue", "amount": 10000, "at": "2026-11-30T10:00:00Z"},
              {"kind": "redeem", "amount": -3000, "at": "2026-11-30T23:30:00Z", "booking_id": "B-1"},
              {"kind": "redeem", "amount": -2000, "at": "2026-12-01T09:00:00Z", "booking_id": "B-2"},
              {"kind": "release", "amount": 2000, "at": "2026-12-01T10:00:00Z", "booking_id": "B-2"}]
    uses = uses_of(ledger, "Europe/Brussels")
    assert [(u.booking_id, u.date, u.amount, u.redeemed, u.status) for u in uses] == [
        ("B-2", "2026-12-01", 0, 2000, "released"), ("B-1", "2026-12-01", 3000, 3000, "redeemed")]


def test_the_post_connects_to_the_checked_address_not_to_a_new_lookup() -> None:
    """DNS rebinding: the name is resolved once, checked, and the connection goes to that address. Here the name
    cannot resolve at all (.invalid), so reaching the receiver proves nothing was looked up again; the request
    still names the host (Host header; SNI and certificate checks over https)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            seen.append((self.path, str(self.headers.get("host"))))
            self.send_response(302)  # a redirect is an answer, never followed
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_port
        url = f"http://hooks.rebinding.invalid:{port}/in?x=1"
        answer = http_post(url, b"{}", {"content-type": "application/json"}, 5, address="127.0.0.1")
        assert answer.status_code == 302 and seen == [("/in?x=1", f"hooks.rebinding.invalid:{port}")]
        unpinned = http_post(url, b"{}", {}, 5)  # without the pinned address the name is looked up, and fails
        assert unpinned.status_code is None and unpinned.error
    finally:
        server.shutdown()
