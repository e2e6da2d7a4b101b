"""Domain events to signed webhooks, end to end in-process: the codes function's transaction writes the event,
the table's stream feeds the publisher (local/event_sources.py), PutEvents reaches the bus, the rule routes it to
the delivery queue, the delivery function POSTs it to a local HTTP receiver; verified with standardwebhooks.
Plus the usage report of a code and of a voucher (issue 17, items 4 and 5)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.integration.test_promo_codes_api import basket, create


class Receiver:
    """A local endpoint: records every request; answers 500 to the first `fail[path]` requests of a path."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], str]] = []
        self.fail: dict[str, int] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                with receiver.lock:
                    receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    failing = receiver.fail.get(self.path, 0)
                    if failing:
                        receiver.fail[self.path] = failing - 1
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def at(self, path: str) -> list[tuple[dict[str, str], str]]:
        with self.lock:
            return [(h, b) for p, h, b in self.requests if p == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def sources(lambdas: Any) -> Iterator[Any]:
    from local.event_sources import EventSources

    running = EventSources(lambdas.template, lambdas.invoke,
                           lambda service: boto3.client(service))  # type: ignore[call-overload]
    running.start()
    yield running
    running.stop()


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def wait_for(condition: Callable[[], bool], sources: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sources.drain(timeout=5)
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def subscribe(api: Any, headers: dict[str, str], url: str, types: list[str], prop: str = "demo") -> dict[str, Any]:
    response = api.post(f"/v1/admin/properties/{prop}/webhooks", json={"url": url, "event_types": types},
                        headers=headers)
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_a_redeemed_code_is_delivered_signed_and_only_to_its_property(
        api: Any, admin: dict[str, str], token: Any, receiver: Receiver, sources: Any) -> None:
    mine = subscribe(api, admin, receiver.url("/demo"), ["code.redeemed", "code.released"])
    assert mine["secret"].startswith("whsec_")
    assert "secret" not in api.get(f"/v1/admin/properties/demo/webhooks/{mine['id']}", headers=admin).json
    subscribe(api, token("other"), receiver.url("/other"), ["code.redeemed", "code.released"], prop="other")
    promo = create(api, admin)
    for booking in ("B-1", "B-2"):
        response = api.post("/v1/properties/demo/redemptions", headers=admin,
                            json={**basket(), "booking_id": booking, "guest_email": f"{booking.lower()}@example.org"})
        assert response.status_code == 201, response.json
    assert api.delete("/v1/properties/demo/redemptions/B-2", headers=admin).status_code == 204

    wait_for(lambda: len(receiver.at("/demo")) == 3, sources)
    verifier = Webhook(mine["secret"])
    events = [verifier.verify(body, headers) for headers, body in receiver.at("/demo")]
    assert sorted((e["type"], e["data"]["booking_id"]) for e in events) == [
        ("code.redeemed", "B-1"), ("code.redeemed", "B-2"), ("code.released", "B-2")]
    redeemed = next(e for e in events if e["type"] == "code.redeemed" and e["data"]["booking_id"] == "B-1")
    assert redeemed["version"] == 1 and redeemed["property_id"] == "demo"
    assert redeemed["data"]["discount"] == {"amount": 5000, "currency": "EUR"}
    assert redeemed["data"]["booking_total"] == {"amount": 39600, "currency": "EUR"}
    assert {h["webhook-id"] for h, _ in receiver.at("/demo")} == {e["id"] for e in events}
    with pytest.raises(WebhookVerificationError):  # another endpoint's secret does not verify
        Webhook("whsec_" + "A" * 32).verify(receiver.at("/demo")[0][1], receiver.at("/demo")[0][0])
    assert receiver.at("/other") == []  # the other property's endpoint never hears of demo's events

    log = api.get(f"/v1/admin/properties/demo/webhooks/{mine['id']}/deliveries", headers=admin).json
    assert [d["status"] for d in log["deliveries"]] == ["delivered"] * 3
    assert all(d["attempts"] == 1 and d["last_status_code"] == 204 for d in log["deliveries"])

    # usage report: two redemptions, one released
    usage = api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/usage", headers=admin).json
    assert [(u["booking_id"], u["status"]) for u in usage["usages"]] == [("B-2", "released"), ("B-1", "confirmed")]
    assert usage["totals"] == {"uses": 1, "released": 1, "discount": {"EUR": 5000},
                               "booking_total": {"EUR": 39600}}
    page = api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/usage?limit=1", headers=admin).json
    assert [u["booking_id"] for u in page["usages"]] == ["B-2"] and page["next_cursor"]
    rest = api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/usage?limit=1&cursor={page['next_cursor']}",
                   headers=admin).json
    assert [u["booking_id"] for u in rest["usages"]] == ["B-1"] and rest["next_cursor"] is None
    today = usage["usages"][0]["date"]
    empty = api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/usage?date_to=2000-01-01",
                    headers=admin).json
    assert empty["usages"] == [] and empty["totals"]["uses"] == 0
    csv = api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/usage.csv?date_from={today}", headers=admin)
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.get_data(as_text=True).lstrip("\ufeff").strip().split("\r\n")
    assert lines[0] == "Date;Réservation;E-mail du client;Remise;Total du séjour;Devise;Statut"  # the property's fr
    assert lines[1:] == [f"{today};B-2;b-2@example.org;50,00;396,00;EUR;annulé",
                         f"{today};B-1;b-1@example.org;50,00;396,00;EUR;confirmé"]
    english = api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/usage.csv?date_from={today}&locale=en",
                      headers=admin).get_data(as_text=True).lstrip("\ufeff").strip().split("\r\n")
    assert english[0] == "Date,Booking,Guest e-mail,Discount,Booking total,Currency,Status"
    assert english[2] == f"{today},B-1,b-1@example.org,50.00,396.00,EUR,confirmed"
    bad = api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/usage?date_from=2030-01-02&date_to=2030-01-01",
                  headers=admin)
    assert bad.status_code == 400 and bad.json["error"]["details"][0]["field"] == "query.date_from"


def test_a_failing_receiver_is_retried_then_dead_then_replayed(
        api: Any, admin: dict[str, str], receiver: Receiver, sources: Any) -> None:
    flaky = subscribe(api, admin, receiver.url("/flaky"), ["code.redeemed"])
    down = subscribe(api, admin, receiver.url("/down"), ["code.redeemed"])
    receiver.fail["/flaky"] = 1
    receiver.fail["/down"] = 1000
    create(api, admin)
    assert api.post("/v1/properties/demo/redemptions", headers=admin,
                    json={**basket(), "booking_id": "B-9"}).status_code == 201

    base = "/v1/admin/properties/demo/webhooks"
    wait_for(lambda: len(receiver.at("/flaky")) == 2 and len(receiver.at("/down")) == 3, sources, timeout=30)
    [retried] = api.get(f"{base}/{flaky['id']}/deliveries", headers=admin).json["deliveries"]
    assert (retried["status"], retried["attempts"]) == ("delivered", 2)
    assert [a["status_code"] for a in retried["log"]] == [500, 204]
    assert retried["log"][0]["error"] == "HTTP 500" and retried["log"][0]["latency_ms"] >= 0
    first, second = (h["webhook-id"] for h, _ in receiver.at("/flaky"))
    assert first == second  # the same message id on every attempt: the receiver can deduplicate
    [dead] = api.get(f"{base}/{down['id']}/deliveries?status=dead", headers=admin).json["deliveries"]
    assert dead["attempts"] == 3 and dead["last_status_code"] == 500

    receiver.fail["/down"] = 0
    replay = api.post(f"{base}/{down['id']}/deliveries/{dead['id']}/replay", headers=admin)
    assert replay.status_code == 202, replay.json
    wait_for(lambda: len(receiver.at("/down")) == 4, sources)
    wait_for(lambda: api.get(f"{base}/{down['id']}/deliveries/{dead['id']}", headers=admin).json["status"]
             == "delivered", sources)
    headers, body = receiver.at("/down")[-1]
    assert Webhook(down["secret"]).verify(body, headers)["data"]["booking_id"] == "B-9"

    assert api.patch(f"{base}/{down['id']}", json={"enabled": False}, headers=admin).json["enabled"] is False
    refused = api.post(f"{base}/{down['id']}/deliveries/{dead['id']}/replay", headers=admin)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "webhook_endpoint_disabled"


@pytest.mark.parametrize(("url", "reason"), [
    ("http://hooks.example.com/x", "https"),
    ("https://10.0.0.8/x", "private"),
    ("https://169.254.169.254/latest/meta-data", "private"),
    ("https://[::1]/x", "private"),
    ("https://user:pw@hooks.example.com/x", "credentials"),
    ("https://intranet/x", "not public"),
])
def test_endpoints_must_be_public_https(api: Any, admin: dict[str, str], url: str, reason: str) -> None:
    response = api.post("/v1/admin/properties/demo/webhooks", json={"url": url, "event_types": ["code.redeemed"]},
                        headers=admin)
    assert response.status_code == 400, response.json
    assert reason in response.json["error"]["message"]
    assert response.json["error"]["details"] == [{"field": "body.url"}]
    unknown = api.post("/v1/admin/properties/demo/webhooks",
                       json={"url": "https://hooks.example.com/x", "event_types": ["code.stolen"]}, headers=admin)
    assert unknown.status_code == 400 and "event_types" in str(unknown.json["error"]["details"])


def test_unsubscribed_guests_imported_reviews_and_recovered_carts_are_events(
        api: Any, admin: dict[str, str], receiver: Receiver, sources: Any) -> None:
    from tests.integration.test_abandoned_carts import cart, enable, finish
    from tests.integration.test_reviews_api import BOOKING_CSV, import_file

    endpoint = subscribe(api, admin, receiver.url("/others"),
                         ["guest.unsubscribed", "review.received", "cart.recovered"])
    assert api.post("/v1/admin/properties/demo/guests/martin@example.com/unsubscribe",
                    headers=admin).status_code == 204
    assert api.post("/v1/admin/properties/demo/guests/martin@example.com/unsubscribe",
                    headers=admin).status_code == 204  # already unsubscribed: no second event
    assert import_file(api, admin, "booking", BOOKING_CSV).json["created"] == 3
    assert import_file(api, admin, "booking", BOOKING_CSV).json["created"] == 0  # unchanged: no event

    enable(api, admin, "abandoned_payment")
    body = cart(email="anna@example.org")
    assert api.post("/v1/properties/demo/carts", json=body, headers=admin).status_code == 201
    assert finish("C-1")["status"] == "SUCCEEDED"
    for _ in range(2):  # paid twice (a retry): recovered once
        api.put("/v1/properties/demo/carts/C-1", json={"status": "paid", "booking_id": "B-7"}, headers=admin)

    wait_for(lambda: len(receiver.at("/others")) >= 5, sources)
    events = [Webhook(endpoint["secret"]).verify(b, h) for h, b in receiver.at("/others")]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event["data"])
    assert by_type["guest.unsubscribed"] == [{"guest_email": "martin@example.com"}]
    assert len(by_type["review.received"]) == 3
    assert {r["source"] for r in by_type["review.received"]} == {"booking"}
    assert by_type["cart.recovered"] == [{"cart_id": "C-1", "booking_id": "B-7",
                                          "total": {"amount": 18000, "currency": "EUR"}}]


def test_erasing_a_guest_takes_their_events_out_of_the_delivery_log(
        api: Any, admin: dict[str, str], receiver: Receiver, sources: Any) -> None:
    """GDPR (art. 17): the delivery log kept the guest's address for 30 days. The export lists those events; the
    erasure removes them (id, type, status and attempts stay for the host), a replay is refused, and another
    guest's look-alike address ("amartin@…") is untouched."""
    endpoint = subscribe(api, admin, receiver.url("/gdpr"), ["guest.unsubscribed"])
    for guest in ("martin@example.com", "amartin@example.com"):
        assert api.post(f"/v1/admin/properties/demo/guests/{guest}/unsubscribe", headers=admin).status_code == 204
    wait_for(lambda: len(receiver.at("/gdpr")) >= 2, sources)
    exported = api.get("/v1/admin/properties/demo/guests/martin@example.com/export", headers=admin).json
    assert [(d["event"]["type"], d["event"]["data"]) for d in exported["webhook_deliveries"]] == [
        ("guest.unsubscribed", {"guest_email": "martin@example.com"})]

    report = api.post("/v1/admin/properties/demo/guests/martin@example.com/erasure", headers=admin).json
    assert report["webhook_deliveries"] == 1
    base = f"/v1/admin/properties/demo/webhooks/{endpoint['id']}/deliveries"
    deliveries = api.get(base, headers=admin).json["deliveries"]
    erased = [d for d in deliveries if d["erased_at"]]
    assert len(deliveries) == 2 and len(erased) == 1 and erased[0]["status"] == "delivered"
    assert "martin@example.com" not in str(api.get(f"{base}/{erased[0]['id']}", headers=admin).json)
    replay = api.post(f"{base}/{erased[0]['id']}/replay", headers=admin)
    assert replay.status_code == 409 and replay.json["error"]["code"] == "webhook_delivery_erased"
    other = api.get("/v1/admin/properties/demo/guests/amartin@example.com/export", headers=admin).json
    assert len(other["webhook_deliveries"]) == 1  # still there: a different guest
    again = api.post("/v1/admin/properties/demo/guests/martin@example.com/erasure", headers=admin).json
    assert again["webhook_deliveries"] == 0


def test_a_rotated_secret_signs_alongside_the_previous_one_for_a_day(
        api: Any, admin: dict[str, str], receiver: Receiver, sources: Any) -> None:
    """The receiver switches secrets without losing a delivery: for 24 hours each request carries two
    signatures (new and previous secret), then only the new one."""
    from revenir.core import clock

    endpoint = subscribe(api, admin, receiver.url("/rotate"), ["guest.unsubscribed"])
    rotated = api.post(f"/v1/admin/properties/demo/webhooks/{endpoint['id']}/rotate-secret", headers=admin)
    assert rotated.status_code == 200, rotated.json
    new, old = rotated.json["secret"], endpoint["secret"]
    assert new.startswith("whsec_") and new != old and rotated.json["previous_secret_until"]
    shown = api.get(f"/v1/admin/properties/demo/webhooks/{endpoint['id']}", headers=admin).json
    assert "secret" not in shown and "previous_secret" not in shown

    api.post("/v1/admin/properties/demo/guests/martin@example.com/unsubscribe", headers=admin)
    wait_for(lambda: len(receiver.at("/rotate")) >= 1, sources)
    headers, body = receiver.at("/rotate")[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (new, old):  # a receiver with either secret verifies
        assert Webhook(secret).verify(body, headers)["data"] == {"guest_email": "martin@example.com"}

    clock.travel(24 * 3600 + 60)  # the overlap is over: the previous secret signs no more
    api.post("/v1/admin/properties/demo/guests/anna@example.com/unsubscribe", headers=admin)
    wait_for(lambda: len(receiver.at("/rotate")) >= 2, sources)
    headers, body = receiver.at("/rotate")[1]
    assert len(headers["webhook-signature"].split(" ")) == 1
    assert Webhook(new).verify(body, headers)["data"] == {"guest_email": "anna@example.com"}
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, headers)
    missing = api.post("/v1/admin/properties/demo/webhooks/we_00000000000000000000000000/rotate-secret",
                       headers=admin)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "webhook_endpoint_not_found"
