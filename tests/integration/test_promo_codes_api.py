"""Promo codes end to end through the local API Gateway, on moto: admin, widget, booking engine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from revenir.core import clock

LINES = [{"offer_id": "gite-bout-du-monde", "amount": 36000, "currency": "EUR"},
         {"offer_id": "petit-dejeuner", "amount": 3600, "currency": "EUR"}]


def day(offset: int) -> str:
    return str(clock.local_today("Europe/Brussels") + timedelta(days=offset))


def code_body(**overrides: Any) -> dict[str, Any]:
    return {"name": "Merci d’être venus", "code": "merci2026",
            "discount": {"type": "amount", "amount": 5000, "currency": "EUR"},
            "valid_from": day(-1), "valid_until": day(60), "max_uses": 10, "max_uses_per_guest": None,
            "offer_ids": None, **overrides}


def basket(code: str = "MERCI2026", **overrides: Any) -> dict[str, Any]:
    return {"code": code, "arrival": day(20), "departure": day(23), "lines": LINES, **overrides}


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def create(api: Any, admin: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = api.post("/v1/admin/properties/demo/promo-codes", json=code_body(**overrides), headers=admin)
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_create_read_list_update_archive(api: Any, admin: dict[str, str]) -> None:
    created = create(api, admin, name_translations={"en": "Thanks for your first stay"})
    assert created["id"].startswith("pc_") and created["uses"] == 0 and created["code"] == "MERCI2026"
    read = api.get(f"/v1/admin/properties/demo/promo-codes/{created['id']}", headers=admin).json
    assert read["name_translations"]["en"] == "Thanks for your first stay"
    patched = api.patch(f"/v1/admin/properties/demo/promo-codes/{created['id']}", json={"max_uses": 3},
                        headers=admin)
    assert patched.status_code == 200 and patched.json["max_uses"] == 3
    listed = api.get("/v1/admin/properties/demo/promo-codes", headers=admin).json["promo_codes"]
    assert [p["id"] for p in listed] == [created["id"]]
    assert api.delete(f"/v1/admin/properties/demo/promo-codes/{created['id']}", headers=admin).status_code == 204
    refused = api.post("/v1/properties/demo/codes/validate", json=basket()).json
    assert (refused["valid"], refused["reason"], refused["discount"]) == (False, "unknown", None)


def test_code_strings_are_unique_only_among_overlapping_periods(api: Any, admin: dict[str, str]) -> None:
    create(api, admin)
    clash = api.post("/v1/admin/properties/demo/promo-codes", json=code_body(name="Autre"), headers=admin)
    assert clash.status_code == 409 and clash.json["error"]["code"] == "code_in_use"
    later = create(api, admin, name="Merci 2027", valid_from=day(61), valid_until=day(120))
    assert later["code"] == "MERCI2026"
    same_name = api.post("/v1/admin/properties/demo/promo-codes",
                         json=code_body(code="OTHER", name="MERCI d’être venus"), headers=admin)
    assert same_name.status_code == 409 and same_name.json["error"]["code"] == "name_taken"


def test_validate_prices_the_basket_in_one_round_trip(api: Any, admin: dict[str, str], aws: Any) -> None:
    create(api, admin)
    aws.CALLS.clear()
    response = api.post("/v1/properties/demo/codes/validate", json=basket(code=" merci2026 "))
    assert response.status_code == 200
    body = response.json
    assert body["valid"] is True and body["discount"] == {"amount": 5000, "currency": "EUR"}
    assert sum(line["discount"] for line in body["lines"]) == 5000
    dynamodb_calls = {op: n for op, n in aws.CALLS.items() if op.startswith("dynamodb.")}
    assert dynamodb_calls == {"dynamodb.BatchGetItem": 1}


def test_redeem_is_idempotent_and_one_transaction(api: Any, admin: dict[str, str], aws: Any) -> None:
    promo = create(api, admin)
    aws.CALLS.clear()
    first = api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-1"}, headers=admin)
    assert first.status_code == 201, first.json
    assert {op: n for op, n in aws.CALLS.items() if op.startswith("dynamodb.")} == {
        "dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1}
    again = api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-1"}, headers=admin)
    assert again.status_code == 200 and again.json == first.json
    assert api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}", headers=admin).json["uses"] == 1
    other = api.post("/v1/properties/demo/redemptions", json={**basket(code="NOPE"), "booking_id": "B-1"},
                     headers=admin)
    assert other.status_code == 409 and other.json["error"]["code"] == "booking_already_redeemed"


def test_redemptions_need_the_propertys_token(api: Any, admin: dict[str, str], token: Any) -> None:
    create(api, admin)
    body = {**basket(), "booking_id": "B-2"}
    assert api.post("/v1/properties/demo/redemptions", json=body).status_code == 401
    assert api.post("/v1/properties/demo/redemptions", json=body, headers=token("other")).status_code == 403


def test_a_code_that_cannot_be_used_is_a_409_with_the_reason(api: Any, admin: dict[str, str]) -> None:
    create(api, admin, max_uses=1)
    assert api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-1"},
                    headers=admin).status_code == 201
    refused = api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-2"}, headers=admin)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "exhausted"


def test_release_gives_the_use_back_once(api: Any, admin: dict[str, str]) -> None:
    promo = create(api, admin, max_uses=1)
    api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-1"}, headers=admin)
    assert api.delete("/v1/properties/demo/redemptions/B-1", headers=admin).status_code == 204
    assert api.delete("/v1/properties/demo/redemptions/B-1", headers=admin).status_code == 204
    assert api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}", headers=admin).json["uses"] == 0
    assert api.delete("/v1/properties/demo/redemptions/NEVER", headers=admin).status_code == 404
    again = api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-2"}, headers=admin)
    assert again.status_code == 201


def test_holds_confirm_or_expire_and_give_the_use_back(api: Any, admin: dict[str, str], lambdas: Any) -> None:
    promo = create(api, admin, max_uses=1)
    held = api.post("/v1/properties/demo/redemptions",
                    json={**basket(), "booking_id": "B-1", "hold": True, "hold_minutes": 30}, headers=admin)
    assert held.status_code == 201 and held.json["status"] == "held"
    blocked = api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-2"}, headers=admin)
    assert blocked.json["error"]["code"] == "exhausted"  # the held use counts while the guest pays
    # When the payment never comes, the scheduled sweeper gives the use back after the hold expires
    clock.travel(31 * 60)
    assert lambdas.invoke("revenir-local-CodeHoldsSweeperFunction", {}) == {"released": 1}
    assert api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}", headers=admin).json["uses"] == 0
    late = api.post("/v1/properties/demo/redemptions/B-1/confirm", headers=admin)
    assert late.status_code == 409 and late.json["error"]["code"] == "redemption_released"
    # A hold confirmed in time is final
    api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-3", "hold": True}, headers=admin)
    confirmed = api.post("/v1/properties/demo/redemptions/B-3/confirm", headers=admin)
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"
    clock.travel(3600)
    assert lambdas.invoke("revenir-local-CodeHoldsSweeperFunction", {}) == {"released": 0}
    assert api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}", headers=admin).json["uses"] == 1


def test_confirming_an_expired_hold_before_the_sweeper_gives_the_use_back(api: Any, admin: dict[str, str]) -> None:
    promo = create(api, admin, max_uses=1)
    api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-1", "hold": True,
                                                       "hold_minutes": 5}, headers=admin)
    clock.travel(6 * 60)
    late = api.post("/v1/properties/demo/redemptions/B-1/confirm", headers=admin)
    assert late.status_code == 409 and late.json["error"]["code"] == "hold_expired"
    assert api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}", headers=admin).json["uses"] == 0


def test_per_guest_limit_and_first_stay(api: Any, admin: dict[str, str]) -> None:
    create(api, admin, max_uses=None, max_uses_per_guest=1, first_stay_only=True)
    guest = {"guest_email": "Martin@Example.com"}
    no_email = api.post("/v1/properties/demo/redemptions", json={**basket(), "booking_id": "B-0"}, headers=admin)
    assert no_email.status_code == 400 and no_email.json["error"]["code"] == "guest_email_required"
    assert api.post("/v1/properties/demo/redemptions", json={**basket(**guest), "booking_id": "B-1"},
                    headers=admin).status_code == 201
    # The anonymous widget never learns a guest's history (issue 12, item 4): the rules show as conditions
    second = api.post("/v1/properties/demo/codes/validate", json=basket(guest_email="martin@example.com"))
    other = api.post("/v1/properties/demo/codes/validate", json=basket(guest_email="anna@example.com"))
    assert second.json == other.json
    assert other.json["valid"] is True
    assert other.json["conditions"] == ["first_stay_only", "max_uses_per_guest"]
    # The booking engine's redemption enforces them
    again = api.post("/v1/properties/demo/redemptions", json={**basket(**guest), "booking_id": "B-2"}, headers=admin)
    assert again.status_code == 409 and again.json["error"]["code"] == "guest_limit_reached"


def test_validity_follows_the_propertys_local_calendar(api: Any, admin: dict[str, str]) -> None:
    # Brussels is UTC+1 in winter: at 23:30 UTC on the last day it is already the next day there. Start from
    # noon UTC (the same calendar day in Brussels), whatever time the suite runs at.
    now = clock.now()
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    clock.travel(((noon if noon > now else noon + timedelta(days=1)) - now).total_seconds())
    create(api, admin, valid_from=day(-5), valid_until=day(0))
    clock.travel(11.5 * 3600)  # 23:30 UTC
    assert api.post("/v1/properties/demo/codes/validate", json=basket()).json["reason"] == "expired"


def test_guessing_guard_blocks_after_repeated_unknown_codes(api: Any, admin: dict[str, str]) -> None:
    create(api, admin)
    client = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}  # the connection's address, as API Gateway sees it
    for n in range(20):
        assert api.post("/v1/properties/demo/codes/validate", json=basket(code=f"GUESS{n}"),
                        **client).json["reason"] == "unknown"
    blocked = api.post("/v1/properties/demo/codes/validate", json=basket(), **client)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert blocked.json["error"]["code"] == "too_many_requests"
    # A guest with no failed attempt still validates a real code while the property is under attack
    fine = api.post("/v1/properties/demo/codes/validate", json=basket(),
                    environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert fine.status_code == 200 and fine.json["valid"] is True
    # An unknown property answers like an unknown code
    assert api.post("/v1/properties/ghost/codes/validate", json=basket()).json["reason"] == "unknown"


def test_public_codes_are_listed_only_while_published(api: Any, admin: dict[str, str]) -> None:
    create(api, admin, public=True, publish_from=day(-1), publish_until=day(10))
    create(api, admin, code="SECRET", name="Secret")
    listed = api.get("/v1/properties/demo/promo-codes/public").json["promo_codes"]
    assert [p["code"] for p in listed] == ["MERCI2026"]


def test_the_widget_learns_the_property_s_language_before_a_code_is_typed(api: Any, admin: dict[str, str]) -> None:
    """The booking widget's fallback when the host's page sets no language it speaks (issue 15, item 1)."""
    answer = api.get("/v1/properties/demo/widget")
    assert answer.status_code == 200 and answer.json == {"language": "fr"}
    assert answer.headers["Cache-Control"] == "public, max-age=300"
    stored = api.get("/v1/admin/properties/demo", headers=admin).json
    for read_only in ("property_id", "created_at", "updated_at"):
        stored.pop(read_only)
    dutch = api.put("/v1/admin/properties/demo", headers=admin, json={**stored, "default_language": "nl"})
    assert dutch.status_code in (200, 201), dutch.json
    assert api.get("/v1/properties/demo/widget").json == {"language": "nl"}
    missing = api.get("/v1/properties/ghost/widget")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "property_not_found"


def test_send_a_code_by_email_in_the_guests_language_once(api: Any, admin: dict[str, str]) -> None:
    from local import outbox

    promo = create(api, admin)
    guest = {"first_name": "Martin", "last_name": "Dupont", "email": "martin@example.com", "language": "nl"}
    sent = api.post(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/send", json=guest, headers=admin)
    assert sent.status_code == 200, sent.json
    assert sent.json["language"] == "nl"
    again = api.post(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/send", json=guest, headers=admin)
    assert again.json["message_id"] == sent.json["message_id"]  # a double click sends nothing more
    mails = outbox.messages()
    assert len(mails) == 1
    assert mails[0]["to"] == ["martin@example.com"]
    assert "Uw promotiecode" in mails[0]["subject"]
    assert "MERCI2026" in mails[0]["text"] and "€\u00a050,00" in mails[0]["text"]  # Babel: a no-break space
    assert "MERCI2026" in mails[0]["html"]
    french = api.post(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/send",
                      json={**guest, "email": "anna@example.com", "language": None}, headers=admin)
    assert french.json["language"] == "fr"  # the property's language when the guest's is unknown
    assert "Bonjour Martin" in outbox.messages()[0]["text"]
    recipients = api.get(f"/v1/admin/properties/demo/promo-codes/{promo['id']}/sent-to", headers=admin).json
    assert sorted(r["email"] for r in recipients["sent_to"]) == ["anna@example.com", "martin@example.com"]


def test_a_fifth_period_of_a_code_string_evicts_the_oldest_ended_one(api: Any, admin: dict[str, str]) -> None:
    for n in range(4):  # four periods of the same string, the first one already over
        start = -20 if n == 0 else 10 * n
        create(api, admin, name=f"Période {n}", valid_from=day(start), valid_until=day(start + 5))
    fifth = api.post("/v1/admin/properties/demo/promo-codes", headers=admin,
                     json=code_body(name="Période 4", valid_from=day(60), valid_until=day(65)))
    assert fifth.status_code == 201, fifth.json
    names = {p["name"] for p in api.get("/v1/admin/properties/demo/promo-codes", headers=admin).json["promo_codes"]}
    assert "Période 4" in names and "Période 0" in names  # the evicted one is archived, still listed
    sixth = api.post("/v1/admin/properties/demo/promo-codes", headers=admin,
                     json=code_body(name="Période 5", valid_from=day(70), valid_until=day(75)))
    assert sixth.status_code == 409 and sixth.json["error"]["code"] == "code_reuse_limit"


def test_an_invalid_patch_is_a_400(api: Any, admin: dict[str, str]) -> None:
    promo = create(api, admin)
    response = api.patch(f"/v1/admin/properties/demo/promo-codes/{promo['id']}", headers=admin,
                         json={"valid_until": day(-10)})
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_request"


def test_renaming_an_archived_code_never_frees_a_live_codes_name(api: Any, admin: dict[str, str]) -> None:
    old = create(api, admin, name="Été", code="ETE1")
    api.delete(f"/v1/admin/properties/demo/promo-codes/{old['id']}", headers=admin)
    create(api, admin, name="Été", code="ETE2")
    assert api.patch(f"/v1/admin/properties/demo/promo-codes/{old['id']}", headers=admin,
                     json={"name": "Hiver"}).status_code == 200
    third = api.post("/v1/admin/properties/demo/promo-codes", headers=admin, json=code_body(name="été", code="ETE3"))
    assert third.status_code == 409 and third.json["error"]["code"] == "name_taken"


def test_moving_a_codes_dates_keeps_periods_apart(api: Any, admin: dict[str, str]) -> None:
    first = create(api, admin, valid_from=day(-1), valid_until=day(10))
    create(api, admin, name="Plus tard", valid_from=day(20), valid_until=day(30))
    moved = api.patch(f"/v1/admin/properties/demo/promo-codes/{first['id']}", headers=admin,
                      json={"valid_until": day(15)})
    assert moved.status_code == 200 and moved.json["valid_until"] == day(15)
    clash = api.patch(f"/v1/admin/properties/demo/promo-codes/{first['id']}", headers=admin,
                      json={"valid_until": day(25)})
    assert clash.status_code == 409 and clash.json["error"]["code"] == "code_in_use"
