"""Private sales (link or access code) and partner cards, through the local API Gateway on moto."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from revenir.core import clock


def day(offset: int) -> str:
    return str(clock.local_today("Europe/Brussels") + timedelta(days=offset))


def next_weekday(iso_weekday: int, after: int = 10) -> str:
    start = clock.local_today("Europe/Brussels") + timedelta(days=after)
    return str(start + timedelta(days=(iso_weekday - start.isoweekday()) % 7))


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def sale_body(**overrides: Any) -> dict[str, Any]:
    return {"name": "Vente privée du printemps", "kind": "discount", "discount": {"type": "percent", "percent": 20},
            "publish_from": day(-1), "publish_until": day(30), "min_nights": 2, "arrival_weekdays": [5],
            "offer_ids": ["gite-bout-du-monde", "gite-insolite"], **overrides}


def stay(arrival: str, nights: int) -> dict[str, Any]:
    departure = str(clock.local_today("Europe/Brussels").fromisoformat(arrival) + timedelta(days=nights))
    return {"arrival": arrival, "departure": departure,
            "lines": [{"offer_id": "gite-insolite", "amount": 9500 * nights, "currency": "EUR"},
                      {"offer_id": "petit-dejeuner", "amount": 1200 * nights, "currency": "EUR"}]}


def test_a_private_sale_is_reached_by_its_link_and_prices_a_basket(api: Any, admin: dict[str, str]) -> None:
    created = api.post("/v1/admin/properties/demo/private-sales", json=sale_body(), headers=admin)
    assert created.status_code == 201, created.json
    sale = created.json
    assert sale["status"] == "active" and len(sale["link_token"]) >= 20
    opened = api.get(f"/v1/properties/demo/private-sales/{sale['link_token']}")
    assert opened.status_code == 200 and opened.json["name"] == "Vente privée du printemps"
    friday = next_weekday(5)
    priced = api.post(f"/v1/properties/demo/private-sales/{sale['link_token']}/price", json=stay(friday, 2)).json
    assert priced["valid"] is True and priced["kind"] == "private_sale"
    assert priced["discount"]["amount"] == 3800  # 20 % of the gîte only, not of breakfast
    monday = next_weekday(1)
    assert api.post(f"/v1/properties/demo/private-sales/{sale['link_token']}/price",
                    json=stay(monday, 2)).json["reason"] == "arrival_day"
    assert api.post(f"/v1/properties/demo/private-sales/{sale['link_token']}/price",
                    json=stay(friday, 1)).json["reason"] == "min_nights"
    assert api.get("/v1/properties/demo/private-sales/not-a-real-token-123456").status_code == 404


def test_an_advantage_sale_offers_an_option_and_works_with_an_access_code(api: Any, admin: dict[str, str]) -> None:
    body = sale_body(kind="advantage", discount=None, advantage="Petit-déjeuner offert", free_offer_id="petit-dejeuner",
                     access_code="printemps", arrival_weekdays=None, offer_ids=None)
    sale = api.post("/v1/admin/properties/demo/private-sales", json=body, headers=admin).json
    assert sale["access_code"] == "PRINTEMPS"
    validated = api.post("/v1/properties/demo/codes/validate", json={"code": "Printemps", **stay(day(12), 2)}).json
    assert validated["valid"] is True and validated["kind"] == "private_sale"
    assert validated["advantage"] == "Petit-déjeuner offert"
    assert validated["discount"]["amount"] == 2400  # the breakfast lines, offered
    redeemed = api.post("/v1/properties/demo/redemptions",
                        json={"code": "PRINTEMPS", "booking_id": "B-9", **stay(day(12), 2)}, headers=admin)
    assert redeemed.status_code == 201 and redeemed.json["discount"]["amount"] == 2400
    # Archived: the link and the access code stop working
    assert api.delete(f"/v1/admin/properties/demo/private-sales/{sale['id']}", headers=admin).status_code == 204
    assert api.post("/v1/properties/demo/codes/validate",
                    json={"code": "PRINTEMPS", **stay(day(12), 2)}).json["reason"] == "unknown"
    assert api.get(f"/v1/properties/demo/private-sales/{sale['link_token']}").status_code == 404


def test_sale_status_is_derived_from_its_publication_window(api: Any, admin: dict[str, str]) -> None:
    upcoming = api.post("/v1/admin/properties/demo/private-sales",
                        json=sale_body(publish_from=day(5), publish_until=day(10)), headers=admin).json
    ended = api.post("/v1/admin/properties/demo/private-sales",
                     json=sale_body(name="Ancienne", publish_from=day(-10), publish_until=day(-1)), headers=admin).json
    assert (upcoming["status"], ended["status"]) == ("upcoming", "ended")
    friday = next_weekday(5)
    assert api.post(f"/v1/properties/demo/private-sales/{upcoming['link_token']}/price",
                    json=stay(friday, 2)).json["reason"] == "not_yet_valid"
    statuses = {s["name"]: s["status"] for s in api.get("/v1/admin/properties/demo/private-sales",
                                                          headers=admin).json["private_sales"]}
    assert statuses == {"Vente privée du printemps": "upcoming", "Ancienne": "ended"}


def test_access_codes_are_unique(api: Any, admin: dict[str, str]) -> None:
    api.post("/v1/admin/properties/demo/private-sales", json=sale_body(access_code="VIP2026"), headers=admin)
    clash = api.post("/v1/admin/properties/demo/private-sales", json=sale_body(name="B", access_code="vip2026"),
                     headers=admin)
    assert clash.status_code == 409 and clash.json["error"]["code"] == "access_code_taken"


def test_partner_cards_are_loaded_from_csv_and_accepted_once_per_booking(api: Any, admin: dict[str, str]) -> None:
    program = api.post("/v1/admin/properties/demo/partner-programs", headers=admin, json={
        "name": "Pass VISITWallonia", "discount": {"type": "percent", "percent": 10},
        "valid_from": day(-1), "valid_until": day(365)}).json
    csv_body = "card_number\nVW-0001-AAAA\nvw-0002-bbbb\n??\nVW-0001-AAAA\n"
    report = api.post(f"/v1/admin/properties/demo/partner-programs/{program['id']}/cards", data=csv_body,
                      headers={**admin, "Content-Type": "text/csv"})
    assert report.status_code == 200, report.json
    assert report.json["added"] == 2 and len(report.json["rejected"]) == 2
    again = api.post(f"/v1/admin/properties/demo/partner-programs/{program['id']}/cards", data=csv_body,
                     headers={**admin, "Content-Type": "text/csv"}).json
    assert (again["added"], again["already_loaded"]) == (0, 2)
    listed = api.get("/v1/admin/properties/demo/partner-programs", headers=admin).json["partner_programs"]
    assert listed[0]["cards"] == 2
    basket = {"code": "vw-0002-BBBB", **stay(day(12), 2)}
    validated = api.post("/v1/properties/demo/codes/validate", json=basket).json
    assert validated["valid"] is True and validated["kind"] == "partner_card"
    assert validated["discount"]["amount"] == 2140
    first = api.post("/v1/properties/demo/redemptions", json={**basket, "booking_id": "B-1"}, headers=admin)
    repeat = api.post("/v1/properties/demo/redemptions", json={**basket, "booking_id": "B-1"}, headers=admin)
    assert (first.status_code, repeat.status_code) == (201, 200)
    assert api.delete("/v1/properties/demo/redemptions/B-1", headers=admin).status_code == 204
