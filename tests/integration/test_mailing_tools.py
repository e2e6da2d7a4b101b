"""E-mailing tools end to end, in process: the real handlers and the real SDKs (brevo-python, mailjet-rest; our
Mailchimp client) over HTTP to the local fakes (local/fakes), the table's stream delivered by the local event
source mappings (local/event_sources.py), Secrets Manager in moto."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from revenir.core import clock

KEYS = {"brevo": {"provider": "brevo", "api_key": "xkeysib-0123456789abcdef-local"},
        "mailchimp": {"provider": "mailchimp", "api_key": "0123456789abcdef0123-us21"},
        "mailjet": {"provider": "mailjet", "api_key": "mj-public-0123", "api_secret": "mj-secret-4567"}}
LISTS = {"brevo": "2", "mailchimp": "a1b2c3d4e5", "mailjet": "10"}
BASE = "/v1/admin/properties/demo/mailing"


@pytest.fixture(scope="module")
def fake_tools() -> Iterator[Any]:
    from werkzeug.serving import make_server

    from local.fakes import FakeTools

    tools = FakeTools()
    server = make_server("127.0.0.1", 0, tools, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tools.root = f"http://127.0.0.1:{server.server_port}"  # type: ignore[attr-defined]
    yield tools
    server.shutdown()


@pytest.fixture
def tools(lambdas: Any, fake_tools: Any) -> Iterator[Any]:
    """The fakes, empty, and every mailing function pointed at them (as `python -m local` does)."""
    from functions.mailing import app, sync
    from local import fakes
    from revenir.core import settings

    saved = {name: os.environ.get(name) for name in fakes.BASE_VARIABLES}
    os.environ.update(fakes.environment(fake_tools.root))
    settings._load.cache_clear()
    for dependency in (app.service, app.signer, sync.service):
        dependency.cache_clear()
    for tool in fake_tools.tools.values():
        tool.reset()
        tool.fail_times = 0
        tool.calls.clear()
    yield fake_tools
    for name, value in saved.items():
        if value is not None:
            os.environ[name] = value
    settings._load.cache_clear()
    for dependency in (app.service, app.signer, sync.service):
        dependency.cache_clear()


@pytest.fixture
def sources(lambdas: Any) -> Iterator[Any]:
    import boto3

    from local.event_sources import EventSources

    events = EventSources(lambdas.template, lambdas.invoke, lambda service: boto3.client(service))  # type: ignore[call-overload]
    events.start()
    yield events
    events.stop()


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def booking(**overrides: Any) -> dict[str, Any]:
    today = clock.local_today("Europe/Brussels")
    return {"first_name": "Anna", "last_name": "Claes", "email": "anna@example.com", "language": "nl",
            "arrival": str(today - timedelta(days=10)), "departure": str(today - timedelta(days=7)), "adults": 2,
            "offer_ids": ["gite-bout-du-monde"], "channel": "direct", "total": 24000, "currency": "EUR",
            "marketing_consent": True, **overrides}


def put_booking(api: Any, admin: dict[str, str], booking_id: str, **overrides: Any) -> None:
    answer = api.put(f"/v1/properties/demo/bookings/{booking_id}", json=booking(**overrides), headers=admin)
    assert answer.status_code in (200, 201), answer.json


def connect(api: Any, admin: dict[str, str], provider: str) -> dict[str, Any]:
    answer = api.put(BASE, json=KEYS[provider], headers=admin)
    assert answer.status_code == 200, answer.json
    chosen = api.put(f"{BASE}/settings", json={"list_id": LISTS[provider]}, headers=admin)
    assert chosen.status_code == 200, chosen.json
    return dict(chosen.json)


def contacts(tools: Any, provider: str) -> dict[str, dict[str, Any]]:
    """email -> what the fake tool holds (status, fields, tags), one shape for the three tools."""
    fake = tools.tools[provider]
    if provider == "brevo":
        return {e: {"status": "unsubscribed" if c["emailBlacklisted"] else "subscribed", "fields": c["attributes"]}
                for e, c in fake.contacts.items()}
    if provider == "mailchimp":
        return {m["email_address"]: {"status": m["status"], "fields": m["merge_fields"], "tags": m["tags"]}
                for m in fake.members[LISTS["mailchimp"]].values()}
    subscribed = fake.subscriptions[int(LISTS["mailjet"])]
    return {e: {"status": {"sub": "subscribed", "unsub": "unsubscribed"}[subscribed[e]], "fields": c["Properties"]}
            for e, c in fake.contacts.items() if e in subscribed}


def status(api: Any, admin: dict[str, str]) -> dict[str, Any]:
    return dict(api.get(BASE, headers=admin).json["status"])


@pytest.mark.parametrize("provider", ["brevo", "mailchimp", "mailjet"])
def test_connect_keeps_the_key_secret_and_lists_the_tool_s_lists(api: Any, admin: dict[str, str], tools: Any,
                                                                  provider: str) -> None:
    import boto3

    answer = api.put(BASE, json=KEYS[provider], headers=admin)
    assert answer.status_code == 200, answer.json
    body = json.dumps(answer.json)
    assert KEYS[provider]["api_key"] not in body and "api_secret" not in body
    assert answer.json["key_hint"] == "…" + KEYS[provider]["api_key"][-4:]
    assert answer.json["mapping"]["first_name"]  # the tool's defaults
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=f"revenir-dev/mailing/demo/{provider}")
    assert json.loads(secret["SecretString"])["api_key"] == KEYS[provider]["api_key"]
    lists = api.get(f"{BASE}/lists", headers=admin)
    assert lists.status_code == 200 and LISTS[provider] in {x["list_id"] for x in lists.json["lists"]}
    assert api.post(f"{BASE}/test", headers=admin).json["ok"] is True
    refused = api.put(f"{BASE}/settings", json={"list_id": "999999"}, headers=admin)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "mailing_list_not_found"


@pytest.mark.parametrize("provider", ["brevo", "mailchimp", "mailjet"])
def test_a_refused_key_is_a_400_naming_the_field_and_nothing_is_stored(api: Any, admin: dict[str, str], tools: Any,
                                                                       provider: str) -> None:
    key = KEYS[provider]["api_key"]
    answer = api.put(BASE, json={**KEYS[provider], "api_key": key[:8] + "invalid" + key[8:]}, headers=admin)
    assert answer.status_code == 400 and answer.json["error"]["code"] == "mailing_key_refused", answer.json
    assert api.get(BASE, headers=admin).json == {**api.get(BASE, headers=admin).json, "connected": False,
                                                 "provider": None, "key_hint": None}


def test_a_mailchimp_key_without_a_server_prefix_is_a_400_naming_the_field(api: Any, admin: dict[str, str],
                                                                        tools: Any) -> None:
    answer = api.put(BASE, json={"provider": "mailchimp", "api_key": "0123456789abcdef-../evil"}, headers=admin)
    assert answer.status_code == 400 and answer.json["error"]["details"][0]["field"] == "server_prefix"
    assert tools.tools["mailchimp"].calls == []  # nothing was called with a made-up host


@pytest.mark.parametrize("provider", ["brevo", "mailchimp", "mailjet"])
def test_resync_sends_only_consenting_guests_and_is_idempotent(api: Any, admin: dict[str, str], tools: Any,
                                                                sources: Any, provider: str) -> None:
    put_booking(api, admin, "M-1")
    put_booking(api, admin, "M-2", email="no-consent@example.com", marketing_consent=False)
    put_booking(api, admin, "M-3", email="relay-1@guest.booking.com", channel="booking.com")
    put_booking(api, admin, "M-4", email="gone@example.com")
    assert api.post("/v1/admin/properties/demo/guests/gone%40example.com/unsubscribe", headers=admin).status_code < 300
    connect(api, admin, provider)
    assert sources.drain(30)
    assert contacts(tools, provider) == {}  # the stream saw no change since the connection
    started = api.post(f"{BASE}/resync", headers=admin)
    assert started.status_code == 202, started.json
    assert sources.drain(60)
    held = contacts(tools, provider)
    assert set(held) == {"anna@example.com"}
    fields = held["anna@example.com"]["fields"]
    assert "Anna" in fields.values() and "nl" in fields.values() and 1 in fields.values()
    first = status(api, admin)
    assert (first["sent"], first["resync"], first["failed"]) == (1, "done", 0)
    assert first["skipped"] >= 3
    tools.tools[provider].calls.clear()
    assert api.post(f"{BASE}/resync", headers=admin).status_code == 202
    assert sources.drain(60)
    assert contacts(tools, provider) == held  # the same contacts, updated in place
    assert status(api, admin)["updated"] == 1


@pytest.mark.parametrize("provider", ["brevo", "mailchimp", "mailjet"])
def test_consent_changes_reach_the_tool_through_the_stream(api: Any, admin: dict[str, str], tools: Any,
                                                            sources: Any, provider: str) -> None:
    connect(api, admin, provider)
    put_booking(api, admin, "S-1")  # a new guest with consent
    assert sources.drain(30)
    assert contacts(tools, provider)["anna@example.com"]["status"] == "subscribed"
    put_booking(api, admin, "S-2", arrival=str(clock.local_today("Europe/Brussels") - timedelta(days=3)),
                departure=str(clock.local_today("Europe/Brussels") - timedelta(days=1)))  # a new stay
    assert sources.drain(30)
    assert 2 in contacts(tools, provider)["anna@example.com"]["fields"].values()
    # consent withdrawn: the guest unsubscribes (their link, or the host)
    assert api.post("/v1/admin/properties/demo/guests/anna%40example.com/unsubscribe", headers=admin).status_code < 300
    assert sources.drain(30)
    assert contacts(tools, provider)["anna@example.com"]["status"] == "unsubscribed"
    figures = status(api, admin)
    assert (figures["sent"], figures["updated"], figures["removed"]) == (1, 1, 1)


@pytest.mark.parametrize("kind", ["Bounce", "Complaint"])
def test_a_bounce_or_complaint_of_the_property_s_message_reaches_the_tool_at_once(
        api: Any, admin: dict[str, str], tools: Any, sources: Any, lambdas: Any, kind: str) -> None:
    """SES suppresses the address for every property; the property whose message bounced (or drew the complaint)
    tells its tool through the stream at once, not at the guest's next change."""
    from revenir.mail.sender import PROPERTY_TAG

    connect(api, admin, "brevo")
    put_booking(api, admin, "B-1")
    assert sources.drain(30)
    assert contacts(tools, "brevo")["anna@example.com"]["status"] == "subscribed"
    recipients = [{"emailAddress": "Anna@Example.com"}]
    detail: dict[str, Any] = {"eventType": kind, "mail": {"messageId": "m-9", "tags": {PROPERTY_TAG: ["demo"]}}}
    if kind == "Bounce":
        detail["bounce"] = {"bounceType": "Permanent", "bouncedRecipients": recipients}
    else:
        detail["complaint"] = {"complainedRecipients": recipients}
    event = {"version": "0", "id": "1", "detail-type": f"Email {kind}", "source": "aws.ses", "account": "1",
             "time": "2026-01-01T00:00:00Z", "region": "eu-west-3", "resources": [], "detail": detail}
    for _ in range(2):  # SES may deliver an event twice
        assert lambdas.invoke("revenir-local-SesEventsFunction", event)["suppressed"] == 1
    assert sources.drain(30)
    assert contacts(tools, "brevo")["anna@example.com"]["status"] == "unsubscribed"


@pytest.mark.parametrize("provider", ["brevo", "mailchimp", "mailjet"])
def test_a_gdpr_erasure_deletes_the_contact_at_the_tool(api: Any, admin: dict[str, str], tools: Any, sources: Any,
                                                        provider: str) -> None:
    connect(api, admin, provider)
    put_booking(api, admin, "E-1")
    assert sources.drain(30)
    assert "anna@example.com" in contacts(tools, provider)
    export = api.get("/v1/admin/properties/demo/guests/anna%40example.com/export", headers=admin).json
    assert export["emailing_tool"]["state"] == "subscribed" and export["emailing_tool"]["list_id"] == LISTS[provider]
    erased = api.post("/v1/admin/properties/demo/guests/anna%40example.com/erasure", headers=admin)
    assert erased.status_code == 200, erased.json
    assert sources.drain(30)
    assert "anna@example.com" not in contacts(tools, provider)
    assert not any("anna" in json.dumps(v) for v in tools.tools[provider].state().values()
                   if not isinstance(v, list))


@pytest.mark.parametrize("provider", ["brevo", "mailchimp", "mailjet"])
def test_an_unsubscribe_at_the_tool_unsubscribes_the_guest(api: Any, admin: dict[str, str], tools: Any,
                                                           sources: Any, provider: str) -> None:
    tool = connect(api, admin, provider)
    put_booking(api, admin, "W-1")
    assert sources.drain(30)
    hook = tool["webhook_url"].split("://", 1)[1].split("/", 1)[1]
    path = "/" + hook
    if provider == "mailchimp":  # Mailchimp checks the URL with a GET first
        assert api.get(path).status_code == 200
        assert api.get(path[:-4] + "AAAA").status_code == 404
    fake = tools.tools[provider]
    answer = fake(_request("POST", "/_unsubscribe", {"email": "anna@example.com"}), "/_unsubscribe")
    payload = json.loads(answer.get_data())
    forged = api.post(path[:-4] + "AAAA", data=payload["body"], content_type=payload["content_type"])
    assert forged.status_code == 404
    delivered = api.post(path, data=payload["body"], content_type=payload["content_type"])
    assert delivered.status_code == 200 and delivered.json["unsubscribed"] == 1, delivered.json
    profile = api.get("/v1/admin/properties/demo/guests/anna%40example.com", headers=admin).json
    assert profile["guest"]["unsubscribed"] is True
    again = api.post(path, data=payload["body"], content_type=payload["content_type"])
    assert again.json == {"unsubscribed": 0, "ignored": 1}  # a redelivery changes nothing
    assert sources.drain(30)


def test_a_failing_tool_is_reported_per_record_and_in_the_status(api: Any, admin: dict[str, str], tools: Any,
                                                                 sources: Any) -> None:
    connect(api, admin, "brevo")
    tools.tools["brevo"].fail_status, tools.tools["brevo"].fail_times = 503, 1
    put_booking(api, admin, "F-1")
    assert sources.drain(60)
    figures = status(api, admin)
    assert figures["failed"] == 1 and "503" in (figures["last_error"] or ""), figures
    # the record was reported failed, retried, and the retry went through
    assert contacts(tools, "brevo")["anna@example.com"]["status"] == "subscribed"
    assert figures["sent"] == 1


def test_the_stream_consumer_reports_only_the_failed_record(lambdas: Any, api: Any, admin: dict[str, str],
                                                            tools: Any) -> None:
    connect(api, admin, "mailjet")
    put_booking(api, admin, "P-1")
    put_booking(api, admin, "P-2", email="bert@example.com")
    tools.tools["mailjet"].fail_status, tools.tools["mailjet"].fail_times = 500, 1

    def record(seq: str, email: str) -> dict[str, Any]:
        return {"eventID": seq, "eventName": "MODIFY", "eventSource": "aws:dynamodb", "awsRegion": "eu-west-3",
                "dynamodb": {"Keys": {"pk": {"S": f"PROPERTY#demo#GUEST#{email}"}, "sk": {"S": "PROFILE"}},
                             "SequenceNumber": seq, "StreamViewType": "NEW_AND_OLD_IMAGES"}}

    answer = lambdas.invoke("revenir-local-MailingSyncFunction",
                            {"Records": [record("1", "anna@example.com"), record("2", "bert@example.com")]})
    assert answer == {"batchItemFailures": [{"itemIdentifier": "1"}]}
    assert set(contacts(tools, "mailjet")) == {"bert@example.com"}


def _request(method: str, path: str, body: Any) -> Any:
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    return Request(EnvironBuilder(method=method, path=path, json=body).get_environ())


def test_a_segment_change_retags_the_guests_at_the_tool(api: Any, admin: dict[str, str], tools: Any,
                                                        sources: Any) -> None:
    connect(api, admin, "mailchimp")
    put_booking(api, admin, "T-1")
    assert sources.drain(30)
    assert contacts(tools, "mailchimp")["anna@example.com"]["tags"] == []
    answer = api.put("/v1/admin/properties/demo/segments/direct", headers=admin,
                     json={"name": "Réservation directe", "rules": {"channel": ["direct"]}})
    assert answer.status_code == 200, answer.json
    assert sources.drain(60)  # the segment's change queues a resync of the property
    assert contacts(tools, "mailchimp")["anna@example.com"]["tags"] == ["Réservation directe"]
    api.put("/v1/admin/properties/demo/segments/direct", headers=admin,
            json={"name": "Direct", "rules": {"channel": ["direct"]}})
    assert sources.drain(60)
    assert contacts(tools, "mailchimp")["anna@example.com"]["tags"] == ["Direct"]  # the old tag is removed


def test_a_resync_goes_page_by_page_through_the_queue(api: Any, admin: dict[str, str], tools: Any, sources: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from revenir.mailing import service

    monkeypatch.setattr(service, "PAGE", 2)
    for n in range(5):
        put_booking(api, admin, f"G-{n}", email=f"guest{n}@example.com")
    connect(api, admin, "brevo")
    assert sources.drain(30)
    assert api.post(f"{BASE}/resync", headers=admin).status_code == 202
    assert sources.drain(60)
    assert set(contacts(tools, "brevo")) == {f"guest{n}@example.com" for n in range(5)}
    figures = status(api, admin)
    assert (figures["resync"], figures["sent"], figures["failed"]) == ("done", 5, 0)
    pages = sources.stats()["MailingResyncFunction.ResyncPages"]["records"]
    assert pages == 3  # 5 bookings, 2 per page


def test_a_deleted_key_asks_the_host_to_reconnect_and_the_sync_says_why(api: Any, admin: dict[str, str], tools: Any,
                                                                         sources: Any) -> None:
    import boto3

    connect(api, admin, "mailjet")
    boto3.client("secretsmanager").delete_secret(SecretId="revenir-dev/mailing/demo/mailjet",
                                                 ForceDeleteWithoutRecovery=True)
    lists = api.get(f"{BASE}/lists", headers=admin)
    assert lists.status_code == 409 and lists.json["error"]["code"] == "mailing_key_missing"
    put_booking(api, admin, "K-1")
    assert sources.drain(30)
    assert "connect the tool again" in status(api, admin)["last_error"]
    again = api.put(BASE, json=KEYS["mailjet"], headers=admin)  # reconnecting mends it, keeping the list
    assert again.status_code == 200 and again.json["list_id"] == LISTS["mailjet"]
    assert api.get(f"{BASE}/lists", headers=admin).status_code == 200
    other = api.put(BASE, json=KEYS["brevo"], headers=admin)  # another tool starts afresh
    assert other.json["list_id"] is None and other.json["status"]["last_error"] is None


def test_round_trips_of_one_guest_change_and_of_an_unchanged_guest(aws: Any, lambdas: Any, api: Any,
                                                                   admin: dict[str, str], tools: Any) -> None:
    """The stream consumer's cost per guest, invoked directly with one record (no polling in the count)."""
    connect(api, admin, "mailchimp")
    put_booking(api, admin, "R-1")
    record = {"eventID": "1", "eventName": "MODIFY", "eventSource": "aws:dynamodb", "awsRegion": "eu-west-3",
              "dynamodb": {"Keys": {"pk": {"S": "PROPERTY#demo#GUEST#anna@example.com"}, "sk": {"S": "PROFILE"}},
                           "SequenceNumber": "1", "StreamViewType": "NEW_AND_OLD_IMAGES"}}
    fake = tools.tools["mailchimp"]
    fake.calls.clear()
    aws.CALLS.clear()
    assert lambdas.invoke("revenir-local-MailingSyncFunction", {"Records": [record]}) == {"batchItemFailures": []}
    first = {op: n for op, n in aws.CALLS.items() if op.startswith("dynamodb.")}
    # connection, guest partition, suppression, latest booking, segments (property partition), marker, status
    assert sum(first.values()) <= 7, first
    assert len(fake.calls) == 1  # one upsert (no segment, so no tags call)
    fake.calls.clear()
    aws.CALLS.clear()
    assert lambdas.invoke("revenir-local-MailingSyncFunction", {"Records": [record]}) == {"batchItemFailures": []}
    again = {op: n for op, n in aws.CALLS.items() if op.startswith("dynamodb.")}
    assert fake.calls == []  # nothing the tool holds changed: no call to the tool
    assert sum(again.values()) <= 5, again
    print(f"\nround trips per guest change: first {first}, unchanged {again}")
