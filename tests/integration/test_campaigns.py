"""Campaigns end to end through the local runtime: a campaign to a segment with one single-use code per
recipient, planned and sent through the SQS queues exactly once despite a planner that dies mid-way and an SES
throttle; the marketing rules; test sends; figures after a redemption, a bounce and an unsubscribe."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest

from revenir.core import clock
from tests import mail_queue

LINES = [{"offer_id": "gite-bout-du-monde", "amount": 36000, "currency": "EUR"}]
BASE = "/v1/admin/properties/demo/campaigns"
VERSIONS = {
    "fr": {"subject": "{{ guest.first_name }}, revenez au {{ property.name }}",
           "html": "<p>Bonjour {{ guest.first_name }}, votre code {{ promo_code.code }} ({{ promo_code.value }})</p>"
                   "<p><a href=\"{{ unsubscribe_url }}\">Se désinscrire</a></p>",
           "text": "Bonjour {{ guest.first_name }}, votre code {{ promo_code.code }}"},
    "en": {"subject": "{{ guest.first_name }}, come back to {{ property.name }}",
           "html": "<p>Hello {{ guest.first_name }}, your code {{ promo_code.code }} ({{ promo_code.value }})</p>",
           "text": "Hello {{ guest.first_name }}, your code {{ promo_code.code }}"},
}


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def day(offset: int) -> str:
    return str(clock.local_today("Europe/Brussels") + timedelta(days=offset))


def guest(api: Any, admin: dict[str, str], booking_id: str, email: str, **overrides: Any) -> None:
    body = {"first_name": email.split("@")[0].capitalize(), "last_name": "Test", "email": email, "language": "en",
            "arrival": day(-30), "departure": day(-28), "adults": 2, "children": 0,
            "offer_ids": ["gite-bout-du-monde"], "channel": "direct", "total": 24000, "currency": "EUR",
            "marketing_consent": True, **overrides}
    assert api.put(f"/v1/properties/demo/bookings/{booking_id}", json=body, headers=admin).status_code in (200, 201)


def setup_guests(api: Any, admin: dict[str, str]) -> None:
    guest(api, admin, "B-1", "anna@example.com")
    guest(api, admin, "B-2", "bert@example.com", language="fr")
    guest(api, admin, "B-3", "quiet@example.com", marketing_consent=False)
    guest(api, admin, "B-4", "x9@guest.booking.com", channel="booking.com")  # an OTA relay, and not "direct"
    guest(api, admin, "B-5", "gone@example.com")
    assert api.post("/v1/admin/properties/demo/guests/gone@example.com/unsubscribe", headers=admin).status_code == 204
    assert api.put("/v1/admin/properties/demo/segments/direct", headers=admin,
                   json={"name": "Direct", "rules": {"channel": ["direct"]}}).status_code == 200


def model_code(api: Any, admin: dict[str, str]) -> dict[str, Any]:
    response = api.post("/v1/admin/properties/demo/promo-codes", headers=admin, json={
        "name": "Retour 10 %", "code": "RETOUR", "discount": {"type": "percent", "percent": 10},
        "valid_from": day(-1), "valid_until": day(365)})
    assert response.status_code == 201, response.json
    return dict(response.json)


def plan_record(property_id: str, campaign_id: str) -> dict[str, Any]:
    body = json.dumps({"kind": "plan", "p": property_id, "c": campaign_id})
    return {"messageId": "redelivered-plan", "receiptHandle": "r", "body": body, "attributes": {},
            "messageAttributes": {}, "eventSource": "aws:sqs", "awsRegion": "eu-west-3",
            "eventSourceARN": "arn:aws:sqs:eu-west-3:123456789012:revenir-local-CampaignPlanQueue"}


def send_record(n: int, body: dict[str, Any]) -> dict[str, Any]:
    return {**plan_record("", ""), "messageId": f"redelivered-{n}", "body": json.dumps(body),
            "eventSourceARN": "arn:aws:sqs:eu-west-3:123456789012:revenir-local-MailSendQueue"}


def test_a_campaign_to_a_segment_with_per_recipient_codes_goes_exactly_once(
        api: Any, admin: dict[str, str], lambdas: Any, monkeypatch: Any) -> None:
    from local import outbox
    from revenir.campaigns import planner
    from revenir.mail.queue import SendQueue
    from revenir.mail.sender import CAMPAIGN_TAG, PROPERTY_TAG, SesMailer

    setup_guests(api, admin)
    code = model_code(api, admin)
    month = clock.now().strftime("%Y-%m")  # e-mail counters are kept per UTC month
    dashboard = f"/v1/admin/properties/demo/dashboard?month={month}"
    sent_before = api.get(dashboard, headers=admin).json["this_month"]["emails"]["sent"]
    audience = {"segments": ["direct"]}
    counted = api.post(f"{BASE}/audience-count", headers=admin, json=audience).json
    assert counted == {"recipients": 2, "guests": 4, "excluded": {"no_marketing_consent": 1, "unsubscribed": 1}}
    created = api.post(BASE, headers=admin, json={
        "name": "Printemps", "versions": VERSIONS, "audience": audience,
        "promo": {"mode": "per_recipient", "promo_code_id": code["id"], "valid_days": 30}})
    assert created.status_code == 201, created.json
    campaign = created.json
    cid = campaign["campaign_id"]
    assert campaign["status"] == "draft"

    # test sends: the host's own addresses only, the code a sample never created
    refused = api.post(f"{BASE}/{cid}/test-send", headers=admin, json={"email": "someone@else.example"})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "test_recipient_not_allowed"
    tested = api.post(f"{BASE}/{cid}/test-send", headers=admin,
                      json={"email": "accueil@moulin.revenir.example", "language": "fr"})
    assert tested.status_code == 200 and tested.json["subject"].startswith("[TEST] Martin")
    preview = api.post(f"{BASE}/{cid}/preview", headers=admin, json={"language": "en"}).json
    assert re.search(r"your code RETOUR-[A-Z0-9]{8} \(-10%\)", preview["html"])  # English typography
    before = len(outbox.messages())

    assert api.post(f"{BASE}/{cid}/schedule", headers=admin, json={}).json["status"] == "scheduled"
    assert api.patch(f"{BASE}/{cid}", headers=admin, json={"name": "Printemps 2027"}).status_code == 200
    tick = lambdas.invoke(mail_queue.DISPATCH, {})
    assert tick["campaigns_started"] == 1
    assert lambdas.invoke(mail_queue.DISPATCH, {})["campaigns_started"] == 0  # leased: not handed over twice
    locked = api.patch(f"{BASE}/{cid}", headers=admin, json={"name": "x"})
    assert locked.status_code == 409 and locked.json["error"]["code"] == "campaign_not_editable"

    # The planner dies after its first chunk (one recipient), and SES throttles the first send.
    monkeypatch.setattr(planner, "CHUNK", 1)
    real_enqueue, real_send = SendQueue.enqueue, SesMailer.send
    calls = {"enqueue": 0, "send": 0}

    def dying_enqueue(self: Any, bodies: Any) -> int:
        calls["enqueue"] += 1
        if calls["enqueue"] > 1:
            raise RuntimeError("the planner's Lambda timed out")
        return real_enqueue(self, bodies)

    def throttled_once(self: Any, sender: str, recipient: str, raw: bytes, tags: Any = None) -> str:
        calls["send"] += 1
        if calls["send"] == 1:
            from revenir.mail.sender import SendError
            raise SendError("Maximum sending rate exceeded.", code="Throttling", transient=True)
        return real_send(self, sender, recipient, raw, tags)

    monkeypatch.setattr(SendQueue, "enqueue", dying_enqueue)
    monkeypatch.setattr(SesMailer, "send", throttled_once)
    first = mail_queue.deliver(lambdas)
    assert [b["e"] for b in first] == ["anna@example.com"]  # planned, then throttled: back to queued
    assert len(outbox.messages()) == before
    monkeypatch.setattr(SendQueue, "enqueue", real_enqueue)

    # SQS redelivers the planning message: the planner resumes after anna; then the throttled message and a
    # duplicate of bert's come back: each guest gets one e-mail.
    assert lambdas.invoke("revenir-local-CampaignPlanFunction", {"Records": [plan_record("demo", cid)]}) == {
        "batchItemFailures": []}
    second = mail_queue.deliver(lambdas)
    assert [b["e"] for b in second] == ["bert@example.com"]
    redelivered = [send_record(n, b) for n, b in enumerate(first + second)]
    assert lambdas.invoke("revenir-local-MailSendFunction", {"Records": redelivered}) == {"batchItemFailures": []}
    assert lambdas.invoke("revenir-local-MailSendFunction", {"Records": redelivered}) == {"batchItemFailures": []}
    sent = [m for m in outbox.messages()[: len(outbox.messages()) - before]]
    assert sorted(m["to"][0] for m in sent) == ["anna@example.com", "bert@example.com"]
    codes = {m["to"][0]: re.search(r"RETOUR-[A-Z0-9]{8}", m["text"]).group(0) for m in sent}  # type: ignore[union-attr]
    assert len(set(codes.values())) == 2
    bert = next(m for m in sent if m["to"][0] == "bert@example.com")
    assert bert["subject"] == "Bert, revenez au " + bert["headers"]["From"].split(" <")[0].strip('"')
    unsubscribe = bert["headers"]["List-Unsubscribe"].strip("<>")
    assert f"&c={cid}" in unsubscribe and bert["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    figures = api.get(f"{BASE}/{cid}/figures", headers=admin).json
    assert (figures["status"], figures["recipients"], figures["sent"], figures["failed"]) == ("sent", 2, 2, 0)
    assert api.get(dashboard, headers=admin).json["this_month"]["emails"]["sent"] == sent_before + 2  # once each

    # anna books with her code; bert's address bounces (SES redelivers the event) and he unsubscribes
    redeem = {"code": codes["anna@example.com"], "arrival": day(20), "departure": day(23), "lines": LINES,
              "booking_id": "B-20"}
    redeemed = api.post("/v1/properties/demo/redemptions", json=redeem, headers=admin)
    assert redeemed.status_code in (200, 201), redeemed.json
    again = api.post("/v1/properties/demo/redemptions", json={**redeem, "booking_id": "B-21"}, headers=admin)
    assert again.status_code == 409  # single use
    bounce = {"version": "0", "id": "1", "detail-type": "Email Bounced", "source": "aws.ses", "account": "1",
              "time": "2026-01-01T00:00:00Z", "region": "eu-west-3", "resources": [],
              "detail": {"eventType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": [
                  {"emailAddress": "bert@example.com"}]}, "mail": {"messageId": "m-9", "tags": {
                      PROPERTY_TAG: ["demo"], CAMPAIGN_TAG: [cid]}}}}
    for _ in range(2):
        lambdas.invoke("revenir-local-SesEventsFunction", bounce)
    link = urlparse(unsubscribe)
    for _ in range(2):
        assert api.post(link.path, query_string=link.query).status_code == 200
    figures = api.get(f"{BASE}/{cid}/figures", headers=admin).json
    assert (figures["codes_redeemed"], figures["bounced"], figures["unsubscribed"]) == (1, 1, 1)
    assert figures["revenue"] == [{"amount": 36000 - 3600, "currency": "EUR"}]
    assert api.delete("/v1/properties/demo/redemptions/B-20", headers=admin).status_code == 204
    assert api.get(f"{BASE}/{cid}/figures", headers=admin).json["codes_redeemed"] == 0  # a release gives it back


def test_a_shared_code_campaign_cancelled_before_it_goes(api: Any, admin: dict[str, str], lambdas: Any) -> None:
    from local import outbox

    setup_guests(api, admin)
    code = model_code(api, admin)
    body = {"name": "Soldes", "versions": {"en": VERSIONS["en"]}, "promo": {"mode": "shared",
                                                                            "promo_code_id": code["id"]}}
    cid = api.post(BASE, headers=admin, json=body).json["campaign_id"]
    preview = api.post(f"{BASE}/{cid}/preview", headers=admin, json={}).json
    assert "your code RETOUR (-10%)" in preview["html"]
    later = (clock.now() + timedelta(days=2)).isoformat()
    assert api.post(f"{BASE}/{cid}/schedule", headers=admin, json={"send_at": later}).json["status"] == "scheduled"
    assert lambdas.invoke(mail_queue.DISPATCH, {})["campaigns_started"] == 0  # not due yet
    assert api.post(f"{BASE}/{cid}/cancel", headers=admin).json["status"] == "cancelled"
    clock.travel(3 * 86400)
    before = len(outbox.messages())
    assert mail_queue.dispatch(lambdas)["campaigns_started"] == 0
    assert len(outbox.messages()) == before
    listed = api.get(BASE, headers=admin).json["campaigns"]
    assert [c["status"] for c in listed] == ["cancelled"]


def test_bad_campaigns_are_400_with_the_field(api: Any, admin: dict[str, str]) -> None:
    broken = {"name": "X", "versions": {"en": {**VERSIONS["en"], "html": "{% for %}"}}}
    response = api.post(BASE, headers=admin, json=broken)
    assert response.status_code == 400 and response.json["error"]["code"] == "template_error"
    missing = api.post(BASE, headers=admin, json={"name": "X", "versions": {"en": VERSIONS["en"]},
                                                  "promo": {"mode": "shared", "promo_code_id": "pc_nope"}})
    assert missing.status_code == 400 and missing.json["error"]["details"][0]["field"] == "body.promo.promo_code_id"
    assert api.get(f"{BASE}/cp_00000000000000000000000000", headers=admin).status_code == 404
    past = api.post(BASE, headers=admin, json={"name": "Y", "versions": {"en": VERSIONS["en"]}}).json
    too_late = (clock.now() - timedelta(days=1)).isoformat()
    refused = api.post(f"{BASE}/{past['campaign_id']}/schedule", headers=admin, json={"send_at": too_late})
    assert refused.status_code == 400 and refused.json["error"]["details"][0]["field"] == "body.send_at"


def test_a_shared_codes_redemptions_by_recipients_count_within_the_window(api: Any, admin: dict[str, str],
                                                                          lambdas: Any) -> None:
    setup_guests(api, admin)
    code = model_code(api, admin)
    body = {"name": "Soldes", "versions": {"en": VERSIONS["en"]}, "audience": {"segments": ["direct"]},
            "attribution_days": 10, "promo": {"mode": "shared", "promo_code_id": code["id"]}}
    cid = api.post(BASE, headers=admin, json=body).json["campaign_id"]
    api.post(f"{BASE}/{cid}/schedule", headers=admin, json={})
    assert mail_queue.dispatch(lambdas)["campaigns_started"] == 1
    figures = api.get(f"{BASE}/{cid}/figures", headers=admin).json
    assert (figures["recipients"], figures["sent"]) == (2, 2)

    def redeem(booking_id: str, email: str | None) -> None:
        body = {"code": "RETOUR", "arrival": day(20), "departure": day(23), "lines": LINES, "booking_id": booking_id,
                **({"guest_email": email} if email else {})}
        response = api.post("/v1/properties/demo/redemptions", json=body, headers=admin)
        assert response.status_code in (200, 201), response.json

    redeem("B-30", "anna@example.com")  # a recipient, within the window: counted
    redeem("B-31", None)  # nobody known: not counted
    redeem("B-32", "quiet@example.com")  # not a recipient: not counted
    clock.travel(11 * 86400)
    redeem("B-33", "bert@example.com")  # a recipient, after the window: not counted
    figures = api.get(f"{BASE}/{cid}/figures", headers=admin).json
    assert figures["codes_redeemed"] == 1 and figures["revenue"] == [{"amount": 36000 - 3600, "currency": "EUR"}]
