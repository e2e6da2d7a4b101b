"""Bookings in, lifecycle e-mails out: scheduling in the property's time zone, dispatch exactly once,
who may receive what, unsubscribe, bounces, the guest list and profile, GDPR export and erasure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from revenir.core import clock
from tests import mail_queue

DISPATCH = "revenir-local-MailDispatchFunction"


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def local_day(offset: int) -> date:
    return clock.local_today("Europe/Brussels") + timedelta(days=offset)


def booking(**overrides: Any) -> dict[str, Any]:
    return {"first_name": "John", "last_name": "Peeters", "email": "john@example.com", "language": "en",
            "arrival": str(local_day(20)), "departure": str(local_day(22)), "adults": 2, "children": 1,
            "offer_ids": ["gite-bout-du-monde"], "channel": "direct", "total": 24000, "currency": "EUR",
            "marketing_consent": True, **overrides}


def put(api: Any, admin: dict[str, str], booking_id: str = "B-1", **overrides: Any) -> Any:
    return api.put(f"/v1/properties/demo/bookings/{booking_id}", json=booking(**overrides), headers=admin)


def dispatch(lambdas: Any) -> dict[str, int]:
    """A tick, then the send queue delivered to its consumers (tests/mail_queue.py)."""
    return mail_queue.dispatch(lambdas)


def travel_to(when: datetime) -> None:
    clock.travel((when - clock.now()).total_seconds() + 1)


def test_a_booking_schedules_its_emails_at_the_local_hour(api: Any, admin: dict[str, str]) -> None:
    response = put(api, admin)
    assert response.status_code == 201, response.json
    scheduled = {m["template_id"]: m["send_at"] for m in response.json["scheduled_emails"]}
    # 10:00 in Brussels (winter, UTC+1) is 09:00Z; the marketing post-stay template is disabled by default
    assert set(scheduled) == {"booking_info", "eve_of_arrival", "thanks"}
    assert scheduled["eve_of_arrival"] == f"{local_day(18)}T09:00:00Z"
    assert scheduled["thanks"] == f"{local_day(23)}T09:00:00Z"
    # The same booking again: nothing changes (a retry)
    again = put(api, admin)
    assert again.status_code == 200 and again.json["scheduled_emails"] == []


def test_send_times_follow_daylight_saving_time(api: Any, admin: dict[str, str]) -> None:
    # Arrival two days after the last Sunday of March: the eve message is 10:00 CEST = 08:00Z
    year = clock.now().year + 1
    last_sunday = max(date(year, 3, d) for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    summer = put(api, admin, "B-S", arrival=str(last_sunday + timedelta(days=2)),
                 departure=str(last_sunday + timedelta(days=4))).json
    winter = put(api, admin, "B-W", arrival=str(last_sunday - timedelta(days=1)),
                 departure=str(last_sunday + timedelta(days=1))).json
    eve = {b["booking_id"]: {m["template_id"]: m["send_at"] for m in b["scheduled_emails"]}["eve_of_arrival"]
           for b in (summer, winter)}
    assert eve["B-S"].endswith("T08:00:00Z") and eve["B-W"].endswith("T09:00:00Z")


def test_due_emails_are_sent_once_even_with_repeated_ticks(api: Any, admin: dict[str, str], lambdas: Any) -> None:
    from local import outbox

    put(api, admin)
    assert dispatch(lambdas)["sent"] == 0  # nothing due yet
    travel_to(datetime.fromisoformat(f"{local_day(13)}T09:00:00+00:00"))  # booking info: 7 days before, 10:00
    first, second = dispatch(lambdas), dispatch(lambdas)
    assert (first["sent"], second["sent"], second["read"]) == (1, 0, 0)
    mails = outbox.messages()
    assert len(mails) == 1
    mail = mails[0]
    assert mail["to"] == ["john@example.com"] and "booking and practical information" in mail["subject"]
    assert "Hello John" in mail["text"] and "Gîte du bout du monde" in mail["text"]
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert 'style="' in mail["html"] and "<style>" not in mail["html"]  # CSS inlined
    profile = api.get("/v1/admin/properties/demo/guests/john@example.com", headers=admin).json
    statuses = {m["template_id"]: m["status"] for m in profile["emails"]}
    assert statuses == {"booking_info": "sent", "eve_of_arrival": "pending", "thanks": "pending"}
    kinds = {e["kind"] for e in profile["timeline"]}
    assert {"booking_created", "email_scheduled", "email_sent", "guest_created"} <= kinds


def test_a_change_reschedules_and_a_cancellation_withdraws(api: Any, admin: dict[str, str], lambdas: Any) -> None:
    put(api, admin)
    moved = put(api, admin, arrival=str(local_day(30)), departure=str(local_day(33))).json
    assert {m["template_id"]: m["send_at"] for m in moved["scheduled_emails"]}["eve_of_arrival"] == \
        f"{local_day(28)}T09:00:00Z"
    cancelled = put(api, admin, status="cancelled", arrival=str(local_day(30)), departure=str(local_day(33)))
    assert cancelled.status_code == 200
    profile = api.get("/v1/admin/properties/demo/guests/john@example.com", headers=admin).json
    assert {m["status"] for m in profile["emails"]} == {"cancelled"}
    clock.travel(40 * 86400)
    assert dispatch(lambdas)["sent"] == 0


def test_a_last_minute_booking_gets_its_pre_stay_emails_at_once(api: Any, admin: dict[str, str],
                                                                lambdas: Any) -> None:
    response = put(api, admin, arrival=str(local_day(1)), departure=str(local_day(3)))
    scheduled = {m["template_id"] for m in response.json["scheduled_emails"]}
    assert {"booking_info", "eve_of_arrival"} <= scheduled
    assert dispatch(lambdas)["sent"] == 2


def test_marketing_needs_consent_and_never_goes_to_ota_relays(api: Any, admin: dict[str, str], lambdas: Any) -> None:
    template = api.get("/v1/admin/properties/demo/mail-templates/post_stay_offer", headers=admin).json
    body = {k: template[k] for k in ("name", "kind", "trigger", "category", "versions")} | {"enabled": True}
    assert api.put("/v1/admin/properties/demo/mail-templates/post_stay_offer", json=body,
                   headers=admin).status_code == 200
    put(api, admin, "B-1", email="fan@example.com", marketing_consent=True)
    put(api, admin, "B-2", email="quiet@example.com", marketing_consent=False)
    put(api, admin, "B-3", email="x1y2@guest.booking.com", marketing_consent=True, channel="booking.com")
    clock.travel(40 * 86400)
    report = dispatch(lambdas)
    profiles = {e: api.get(f"/v1/admin/properties/demo/guests/{e}", headers=admin).json for e in
                ("fan@example.com", "quiet@example.com", "x1y2@guest.booking.com")}
    offer = {e: next(m for m in p["emails"] if m["template_id"] == "post_stay_offer") for e, p in profiles.items()}
    assert offer["fan@example.com"]["status"] == "sent"
    assert offer["quiet@example.com"]["reason"] == "no_marketing_consent"
    assert offer["x1y2@guest.booking.com"]["reason"] == "ota_relay_address"
    # transactional messages still reach the OTA relay address
    thanks = next(m for m in profiles["x1y2@guest.booking.com"]["emails"] if m["template_id"] == "thanks")
    assert thanks["status"] == "sent" and report["suppressed"] == 2


def test_signed_unsubscribe_link_stops_every_email(api: Any, admin: dict[str, str], lambdas: Any) -> None:
    from local import outbox

    put(api, admin, arrival=str(local_day(1)), departure=str(local_day(3)))
    dispatch(lambdas)
    link = outbox.messages()[0]["headers"]["List-Unsubscribe"].strip("<>")
    parsed = urlparse(link)
    query = parse_qs(parsed.query)
    forged = api.post(parsed.path, query_string={"g": query["g"][0], "t": "AAAAAAAAAAAAAAAAAAAAAAAA"})
    # a forged link: a page in the guest's language (the link's lang), refused, nothing unsubscribed
    assert forged.status_code == 403 and 'data-state="invalid"' in forged.get_data(as_text=True)
    assert query["lang"] == ["en"]  # the guest's language travels in the link (not signed: it only picks texts)
    page = api.get(parsed.path, query_string={k: v[0] for k, v in query.items()})
    assert page.status_code == 200 and "john@example.com" in page.get_data(as_text=True)
    french = api.get(parsed.path, query_string={**{k: v[0] for k, v in query.items()}, "lang": "fr"})
    assert '<html lang="fr">' in french.get_data(as_text=True) and "Confirmer" in french.get_data(as_text=True)
    one_click = api.post(parsed.path, query_string={k: v[0] for k, v in query.items()},
                         data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200 and 'data-state="done"' in one_click.get_data(as_text=True)
    clock.travel(30 * 86400)
    dispatch(lambdas)
    profile = api.get("/v1/admin/properties/demo/guests/john@example.com", headers=admin).json
    thanks = next(m for m in profile["emails"] if m["template_id"] == "thanks")
    assert (thanks["status"], thanks["reason"]) == ("suppressed", "unsubscribed")


def test_a_bounce_suppresses_the_address(api: Any, admin: dict[str, str], lambdas: Any) -> None:
    event = {"version": "0", "id": "1", "detail-type": "Email Bounced", "source": "aws.ses", "account": "1",
             "time": "2026-01-01T00:00:00Z", "region": "eu-west-3", "resources": [],
             "detail": {"eventType": "Bounce", "bounce": {"bounceType": "Permanent",
                                                          "bouncedRecipients": [{"emailAddress": "John@Example.com"}]},
                        "mail": {"messageId": "m-1"}}}
    assert lambdas.invoke("revenir-local-SesEventsFunction", event)["suppressed"] == 1
    put(api, admin, arrival=str(local_day(1)), departure=str(local_day(3)))
    report = dispatch(lambdas)
    assert report["sent"] == 0 and report["suppressed"] == 2
    listed = api.get("/v1/admin/properties/demo/guests", headers=admin, query_string={"reachable": "false"}).json
    assert listed["guests"][0]["bounced"] is True
    assert api.get("/v1/admin/properties/demo/guests", headers=admin).json["total"] == 0  # reachable by default


def test_transient_ses_errors_are_retried_later_permanent_ones_recorded(api: Any, admin: dict[str, str],
                                                                        lambdas: Any, monkeypatch: Any) -> None:
    from revenir.mail.sender import SendError, SesMailer

    calls = {"n": 0}

    def throttled(self: Any, sender: str, recipient: str, raw: bytes, tags: Any = None) -> str:
        calls["n"] += 1
        raise SendError("Maximum sending rate exceeded", code="TooManyRequestsException", transient=True)

    monkeypatch.setattr(SesMailer, "send", throttled)
    monkeypatch.setattr("time.sleep", lambda s: None)
    put(api, admin, arrival=str(local_day(1)), departure=str(local_day(3)))
    report = dispatch(lambdas)
    assert report["retried"] == 2 and calls["n"] == 6  # 3 tries in the tick, for each of the 2 messages
    monkeypatch.undo()
    assert dispatch(lambdas)["sent"] == 0  # retried later, not now
    clock.travel(11 * 60)
    assert dispatch(lambdas)["sent"] == 2


def test_guest_list_defaults_filters_and_csv(api: Any, admin: dict[str, str]) -> None:
    put(api, admin, "B-1")
    put(api, admin, "B-2", email="anna@example.com", first_name="Anna", arrival=str(local_day(45)),
        departure=str(local_day(47)))
    put(api, admin, "B-3", email="zoe@example.com", first_name="Zoé", status="cancelled")
    listed = api.get("/v1/admin/properties/demo/guests", headers=admin).json
    assert [g["booking_id"] for g in listed["guests"]] == ["B-1"]  # next 30 days, reachable
    wide = api.get("/v1/admin/properties/demo/guests", headers=admin,
                   query_string={"arrival_to": str(local_day(60)), "reachable": "false"}).json
    assert {g["booking_id"] for g in wide["guests"]} == {"B-1", "B-2", "B-3"}
    by_name = api.get("/v1/admin/properties/demo/guests", headers=admin,
                      query_string={"arrival_to": str(local_day(60)), "name": "ann"}).json
    assert [g["email"] for g in by_name["guests"]] == ["anna@example.com"]
    csv_text = api.get("/v1/admin/properties/demo/guests/export.csv", headers=admin).get_data(as_text=True)
    assert csv_text.startswith("\ufeffRéservation;Prénom") and "john@example.com" in csv_text


def test_add_a_guest_by_hand(api: Any, admin: dict[str, str]) -> None:
    added = api.post("/v1/admin/properties/demo/guests", headers=admin, json={
        "first_name": "Test", "last_name": "Host", "email": "me@example.com", "arrival": str(local_day(5)),
        "departure": str(local_day(6)), "language": "fr"})
    assert added.status_code == 201 and added.json["channel"] == "manual"
    assert api.get("/v1/admin/properties/demo/guests/me@example.com", headers=admin).status_code == 200


def test_the_profile_shows_the_guests_rating_and_erasure_anonymises_the_review(api: Any, admin: dict[str, str]) -> None:
    put(api, admin, arrival=str(local_day(-4)), departure=str(local_day(-2)), status="checked_out")
    preview = api.post("/v1/admin/properties/demo/mail-templates/post_stay_offer/preview", headers=admin,
                       json={"booking_id": "B-1"}).json
    link = urlparse(next(w for w in preview["text"].split() if "/reviews/form?" in w))
    token = parse_qs(link.query)["t"][0]
    review = api.post("/v1/properties/demo/reviews", json={
        "booking_id": "B-1", "token": token, "rating": 4, "title": "Très bien", "text": "John était ravi."})
    assert review.status_code == 201, review.json
    profile = api.get("/v1/admin/properties/demo/guests/john@example.com", headers=admin).json
    assert profile["bookings"][0]["rating"] == 4.0
    assert api.post("/v1/admin/properties/demo/guests/john@example.com/erasure", headers=admin).status_code == 200
    reviews = api.get("/v1/admin/properties/demo/reviews", headers=admin).json
    listed = reviews.get("reviews") or reviews.get("items")
    assert listed[0]["author"] == "-" and not listed[0].get("text") and listed[0]["rating"] == 4.0


def test_gdpr_export_and_erasure(api: Any, admin: dict[str, str], lambdas: Any) -> None:
    code = api.post("/v1/admin/properties/demo/promo-codes", headers=admin, json={
        "name": "Fidèle", "code": "FIDELE", "discount": {"type": "percent", "percent": 5}, "max_uses_per_guest": 1,
        "valid_from": str(local_day(-1)), "valid_until": str(local_day(60))}).json
    api.post(f"/v1/admin/properties/demo/promo-codes/{code['id']}/send", headers=admin,
             json={"first_name": "John", "last_name": "Peeters", "email": "john@example.com"})
    basket = {"code": "FIDELE", "arrival": str(local_day(1)), "departure": str(local_day(3)),
              "guest_email": "john@example.com", "lines": [{"offer_id": "gite-insolite", "amount": 19000,
                                                              "currency": "EUR"}]}
    assert api.post("/v1/properties/demo/redemptions", headers=admin,
                    json={**basket, "booking_id": "B-1"}).status_code == 201
    put(api, admin, arrival=str(local_day(1)), departure=str(local_day(3)))
    dispatch(lambdas)
    exported = api.get("/v1/admin/properties/demo/guests/john@example.com/export", headers=admin).json
    assert exported["profile"]["first_name"] == "John" and exported["bookings"][0]["booking_id"] == "B-1"
    assert exported["promo_code_redemptions"][0]["code"] == "FIDELE"
    assert exported["stays"] == ["B-1"]
    assert len(exported["emails"]) == 3 and exported["timeline"]
    erased = api.post("/v1/admin/properties/demo/guests/john@example.com/erasure", headers=admin)
    assert erased.status_code == 200 and erased.json["bookings_anonymised"] == 1
    assert erased.json["promo_code_traces_removed"] == 2  # the per-guest counter and the "sent to" entry
    assert api.get(f"/v1/admin/properties/demo/promo-codes/{code['id']}/sent-to", headers=admin).json == {
        "sent_to": []}
    after_export = api.get("/v1/admin/properties/demo/guests/john@example.com/export", headers=admin).json
    assert after_export["promo_code_redemptions"] == [] and after_export["carts"] == []
    assert api.get("/v1/admin/properties/demo/guests/john@example.com", headers=admin).status_code == 404
    after = api.get("/v1/admin/properties/demo/guests/john@example.com/export", headers=admin).json
    assert after["profile"] is None and after["bookings"] == [] and after["emails"] == []
    # the anonymous aggregate stays: the booking's dates and total, no name, no address
    rows = api.get("/v1/admin/properties/demo/guests", headers=admin, query_string={"reachable": "false"}).json
    assert rows["guests"][0]["total"] == 24000 and rows["guests"][0]["first_name"] == "-"
    assert "john" not in str(rows).lower()


def test_templates_variants_by_segment_and_upsells_that_exclude(api: Any, admin: dict[str, str]) -> None:
    assert api.put("/v1/admin/properties/demo/segments/breakfast-included", headers=admin,
                   json={"name": "Petit-déjeuner inclus", "rules": {"rate_includes": ["breakfast"]}}).status_code == 200
    assert api.put("/v1/admin/properties/demo/segments/families", headers=admin,
                   json={"name": "Familles", "rules": {"group_type": ["family"]}}).status_code == 200
    base = api.get("/v1/admin/properties/demo/mail-templates/booking_info", headers=admin).json
    family_en = {"subject": "A family stay at {{ property.name }}", "html": "<p>Kids welcome {{ guest.first_name }}</p>"
                 "{% for o in upsell_options %}<p>{{ o.name }}</p>{% endfor %}",
                 "text": "Kids welcome {% for o in upsell_options %}{{ o.name }};{% endfor %}"}
    body = {k: base[k] for k in ("name", "kind", "trigger", "category", "versions")} | {
        "variants": [{"name": "Familles", "segments": ["families"], "versions": {"en": family_en}}],
        "upsells": [{"offer_id": "petit-dejeuner", "exclude_segments": ["breakfast-included"]},
                    {"offer_id": "lit-bebe", "segments": ["families"]}]}
    assert api.put("/v1/admin/properties/demo/mail-templates/booking_info", json=body, headers=admin).status_code == 200
    put(api, admin, "B-1", rate_includes=["breakfast"])
    put(api, admin, "B-2", email="solo@example.com", adults=1, children=0)
    family = api.post("/v1/admin/properties/demo/mail-templates/booking_info/preview", headers=admin,
                      json={"booking_id": "B-1"}).json
    assert family["subject"].startswith("A family stay") and family["text"] == "Kids welcome Lit bébé;"
    solo = api.post("/v1/admin/properties/demo/mail-templates/booking_info/preview", headers=admin,
                    json={"booking_id": "B-2", "language": "fr"}).json
    assert solo["language"] == "fr" and "Petit-déjeuner" in solo["text"] and "Lit bébé" not in solo["text"]


def test_template_errors_are_400_and_the_sandbox_holds(api: Any, admin: dict[str, str]) -> None:
    base = api.get("/v1/admin/properties/demo/mail-templates/thanks", headers=admin).json
    broken = {k: base[k] for k in ("name", "kind", "trigger", "category")} | {
        "versions": {"fr": {"subject": "{% if %}", "html": "x", "text": "x"}}}
    response = api.put("/v1/admin/properties/demo/mail-templates/thanks", json=broken, headers=admin)
    assert response.status_code == 400 and response.json["error"]["code"] == "template_error"
    evil = {k: base[k] for k in ("name", "kind", "trigger", "category")} | {"versions": {"fr": {
        "subject": "x", "html": "{{ guest.__class__.__mro__[1].__subclasses__() }}", "text": "x"}}}
    assert api.put("/v1/admin/properties/demo/mail-templates/thanks", json=evil, headers=admin).status_code == 200
    preview = api.post("/v1/admin/properties/demo/mail-templates/thanks/preview", headers=admin, json={})
    assert preview.status_code == 400 and preview.json["error"]["code"] == "template_error"


def test_finding_1_test_send_goes_only_to_the_hosts_own_addresses(api: Any, admin: dict[str, str]) -> None:
    import json
    import time

    import jwt

    from local import outbox, tokens

    url = "/v1/admin/properties/demo/mail-templates/eve_of_arrival/test-send"
    contact = api.get("/v1/admin/properties/demo", headers=admin).json["contact_email"]
    sent = api.post(url, headers=admin, json={"email": contact.upper(), "language": "nl"})
    assert sent.status_code == 200, sent.json
    mail = outbox.messages()[0]
    assert mail["to"] == [contact] and mail["subject"].startswith("[TEST] ")
    assert mail["subject"].endswith(": uw aankomst nadert")
    relay = api.post(url, headers=admin, json={"email": "anyone@example.org", "language": "nl"})
    assert relay.status_code == 403 and relay.json["error"]["code"] == "test_recipient_not_allowed"
    assert relay.json["error"]["details"][0]["field"] == "body.email"
    assert relay.json["error"]["details"][0]["allowed"] == [contact]
    assert len(outbox.messages()) == 1
    now = int(time.time())
    own = jwt.encode({"sub": "u-1", "iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "iat": now, "exp": now + 600,
                      "property_ids": json.dumps(["demo"]), "email": "marie@example.org", "email_verified": True},
                     tokens.secret(), algorithm="HS256")
    mine = api.post(url, headers={"Authorization": f"Bearer {own}"}, json={"email": "marie@example.org"})
    assert mine.status_code == 200 and ["marie@example.org"] in [m["to"] for m in outbox.messages()]
    unverified = jwt.encode({"sub": "u-2", "iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "iat": now,
                             "exp": now + 600, "property_ids": json.dumps(["demo"]), "email": "eve@example.org",
                             "email_verified": False}, tokens.secret(), algorithm="HS256")
    assert api.post(url, headers={"Authorization": f"Bearer {unverified}"},
                    json={"email": "eve@example.org"}).status_code == 403


def test_now_is_utc() -> None:
    assert clock.now().tzinfo is UTC


def test_an_address_moved_back_and_a_reinstated_booking_are_rescheduled(api: Any, admin: dict[str, str]) -> None:
    put(api, admin)
    assert put(api, admin, email="other@example.com").status_code == 200
    back = put(api, admin)
    assert back.status_code == 200 and len(back.json["scheduled_emails"]) == 3
    assert put(api, admin, status="cancelled").status_code == 200
    reinstated = put(api, admin, status="confirmed")
    assert {m["template_id"] for m in reinstated.json["scheduled_emails"]} == {
        "booking_info", "eve_of_arrival", "thanks"}


def test_a_send_interrupted_mid_tick_is_recorded_not_resent(api: Any, admin: dict[str, str], lambdas: Any,
                                                             monkeypatch: Any) -> None:
    from revenir.mail.sender import SesMailer

    class Killed(BaseException):  # the Lambda runtime ending the invocation (a timeout): nothing is recorded
        pass

    def killed(self: Any, sender: str, recipient: str, raw: bytes, tags: Any = None) -> str:
        raise Killed

    put(api, admin, arrival=str(local_day(1)), departure=str(local_day(3)))
    monkeypatch.setattr(SesMailer, "send", killed)
    with pytest.raises(Killed):
        dispatch(lambdas)
    monkeypatch.undo()
    # The killed batch's other message waits for SQS's visibility timeout, or for its queue lease to end; the
    # claimed one for its claim lease: then the tick hands the first over again and records the second.
    assert dispatch(lambdas)["sent"] == 0
    clock.travel(31 * 60)
    report = dispatch(lambdas)
    assert (report["sent"], report["failed"]) == (1, 1)
    profile = api.get("/v1/admin/properties/demo/guests/john@example.com", headers=admin).json
    reasons = {m["status"]: m.get("reason") for m in profile["emails"] if m["status"] != "pending"}
    assert reasons == {"sent": None, "failed": "interrupted"}
