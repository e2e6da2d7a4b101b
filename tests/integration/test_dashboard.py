"""The back-office dashboard (issue 11): monthly counters written where the events happen, read in one Query."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from revenir.core import clock
from tests import mail_queue

DISPATCH = "revenir-local-MailDispatchFunction"
LINES = [{"offer_id": "gite-bout-du-monde", "amount": 36000, "currency": "EUR"}]


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def day(offset: int) -> str:
    return str(clock.local_today("Europe/Brussels") + timedelta(days=offset))


def this_month() -> str:
    return clock.local_today("Europe/Brussels").strftime("%Y-%m")


def next_month() -> str:
    year, month = (int(p) for p in this_month().split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def dashboard(api: Any, admin: dict[str, str], **query: str) -> dict[str, Any]:
    response = api.get("/v1/admin/properties/demo/dashboard", query_string=query, headers=admin)
    assert response.status_code == 200, response.json
    return dict(response.json)


def redeem(api: Any, admin: dict[str, str], booking_id: str) -> None:
    body = {"code": "MERCI2026", "arrival": day(20), "departure": day(23), "lines": LINES, "booking_id": booking_id}
    response = api.post("/v1/properties/demo/redemptions", json=body, headers=admin)
    assert response.status_code == 201, response.json


def test_an_empty_month_is_all_zeros_and_the_month_defaults_to_the_propertys(api: Any, admin: dict[str, str]) -> None:
    board = dashboard(api, admin)
    assert board["month"] == this_month()
    assert board["this_month"]["codes"] == {"uses": 0, "discount_given": {}}
    assert board["this_month"]["vouchers"] == {"sold": 0, "revenue": {}}
    assert board["this_month"]["emails"] == {"sent": 0, "failed": 0, "bounced": 0, "unsubscribed": 0}
    assert board["last_12_months"]["carts"]["started"] == 0
    assert set(board["reviews"]) == {"average", "count"}


@pytest.mark.parametrize("month", ["2026-13", "0000-01", "9999-12", "1899-12"])
def test_a_bad_month_is_a_400_naming_the_field(api: Any, admin: dict[str, str], month: str) -> None:
    """Found by make fuzz: month=0000-01 answered 500 (a year before 1 while counting back 12 months)."""
    response = api.get("/v1/admin/properties/demo/dashboard", query_string={"month": month}, headers=admin)
    assert response.status_code == 400
    assert "month" in str(response.json["error"])


def test_redemptions_count_uses_and_discount_and_a_release_gives_them_back(api: Any, admin: dict[str, str],
                                                                           aws: Any) -> None:
    created = api.post("/v1/admin/properties/demo/promo-codes", headers=admin, json={
        "name": "Merci", "code": "merci2026", "discount": {"type": "amount", "amount": 5000, "currency": "EUR"},
        "valid_from": day(-1), "valid_until": day(60), "max_uses": 10, "max_uses_per_guest": None,
        "offer_ids": None})
    assert created.status_code == 201, created.json
    redeem(api, admin, "B-1")
    aws.CALLS.clear()
    redeem(api, admin, "B-2")
    assert aws.CALLS.get("dynamodb.TransactWriteItems") == 1  # the counter rides in the redemption's transaction
    board = dashboard(api, admin)
    assert board["this_month"]["codes"] == {"uses": 2, "discount_given": {"EUR": 10000}}
    assert board["last_12_months"]["codes"] == {"uses": 2, "discount_given": {"EUR": 10000}}
    assert api.delete("/v1/properties/demo/redemptions/B-2", headers=admin).status_code == 204
    assert api.delete("/v1/properties/demo/redemptions/B-2", headers=admin).status_code == 204  # once
    assert dashboard(api, admin)["this_month"]["codes"] == {"uses": 1, "discount_given": {"EUR": 5000}}
    later = dashboard(api, admin, month=next_month())  # next month: nothing of its own, this month in its 12
    assert later["this_month"]["codes"]["uses"] == 0 and later["last_12_months"]["codes"]["uses"] == 1


def test_sent_mails_and_an_unsubscribe_are_counted_once(api: Any, admin: dict[str, str], lambdas: Any) -> None:
    from local import outbox

    booking = {"first_name": "John", "last_name": "Peeters", "email": "john@example.com", "language": "en",
               "arrival": day(1), "departure": day(3), "adults": 2, "children": 0,
               "offer_ids": ["gite-bout-du-monde"], "channel": "direct", "total": 24000, "currency": "EUR",
               "marketing_consent": True}
    assert api.put("/v1/properties/demo/bookings/B-1", json=booking, headers=admin).status_code in (200, 201)
    report = mail_queue.dispatch(lambdas)
    assert report["sent"] >= 1
    mail_queue.dispatch(lambdas)  # a repeated tick sends and counts nothing more
    emails = dashboard(api, admin)["this_month"]["emails"]
    assert (emails["sent"], emails["failed"], emails["unsubscribed"]) == (report["sent"], 0, 0)
    link = outbox.messages()[0]["headers"]["List-Unsubscribe"].strip("<>")
    parsed = urlparse(link)
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    for _ in range(2):  # unsubscribing twice counts one guest
        assert api.post(parsed.path, query_string=query, data="List-Unsubscribe=One-Click",
                        content_type="application/x-www-form-urlencoded").status_code == 200
    assert dashboard(api, admin)["this_month"]["emails"]["unsubscribed"] == 1


def bounce(message_id: str, tags: dict[str, list[str]] | None) -> dict[str, Any]:
    mail: dict[str, Any] = {"messageId": message_id, **({"tags": tags} if tags is not None else {})}
    return {"version": "0", "id": "1", "detail-type": "Email Bounced", "source": "aws.ses", "account": "1",
            "time": "2026-01-01T00:00:00Z", "region": "eu-west-3", "resources": [],
            "detail": {"eventType": "Bounce", "mail": mail, "bounce": {
                "bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "Zoe@Example.com"}]}}}


def test_a_bounce_of_a_tagged_message_counts_for_its_property_once(api: Any, admin: dict[str, str],
                                                                   lambdas: Any, aws: Any) -> None:
    from revenir.mail.sender import PROPERTY_TAG

    for _ in range(2):  # SES may deliver an event twice
        assert lambdas.invoke("revenir-local-SesEventsFunction", bounce("m-1", {PROPERTY_TAG: ["demo"]})) == {
            "suppressed": 1}
    assert lambdas.invoke("revenir-local-SesEventsFunction", bounce("m-2", None)) == {"suppressed": 1}  # untagged
    assert dashboard(api, admin)["this_month"]["emails"]["bounced"] == 1


def test_the_dispatcher_tags_its_messages_with_the_property(api: Any, admin: dict[str, str], lambdas: Any,
                                                            monkeypatch: Any) -> None:
    from revenir.mail import sender

    sent: list[dict[str, Any]] = []
    original = sender.SesMailer.send

    def spy(self: Any, sender_: str, recipient: str, raw: bytes, tags: dict[str, str] | None = None) -> str:
        sent.append(tags or {})
        return original(self, sender_, recipient, raw, tags)

    monkeypatch.setattr(sender.SesMailer, "send", spy)
    booking = {"first_name": "Zoe", "last_name": "Martin", "email": "zoe@example.com", "language": "fr",
               "arrival": day(1), "departure": day(3), "adults": 2, "children": 0,
               "offer_ids": ["gite-bout-du-monde"], "channel": "direct", "total": 24000, "currency": "EUR"}
    assert api.put("/v1/properties/demo/bookings/B-9", json=booking, headers=admin).status_code in (200, 201)
    assert mail_queue.dispatch(lambdas)["sent"] >= 1
    assert sent and all(tags == {sender.PROPERTY_TAG: "demo"} for tags in sent)


def test_the_dashboard_reads_its_months_in_one_query(api: Any, admin: dict[str, str], aws: Any) -> None:
    dashboard(api, admin)
    aws.CALLS.clear()
    dashboard(api, admin, month="2025-02")
    calls = {op: n for op, n in aws.CALLS.items() if op.startswith("dynamodb.")}
    # the 13 months (1 Query), carts twice (2 Query), reviews' counters (1 Query), the property (2 GetItem)
    assert calls == {"dynamodb.GetItem": 2, "dynamodb.Query": 4}
