"""Prepaid packages (issue 17, item 2) through the local API Gateway, on moto: a definition, a package issued by
hand, units consumed at booking (one transaction, once per booking), given back on cancellation, the ledger,
expiry, voiding, the CSV export and the GDPR export/erasure."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from revenir.core import clock

NIGHTS = {"name": "Forfait 5 nuits", "name_translations": {"en": "5-night package", "nl": "Arrangement 5 nachten",
                                                           "de": "5-Nächte-Paket"},
          "unit": "night", "units": 5, "price": 45000, "currency": "EUR", "validity_months": 12,
          "offer_ids": ["gite-bout-du-monde", "chambre-meuse"]}
HOLDER = {"first_name": "Anna", "last_name": "de Vries", "email": "anna.devries@example.com", "language": "nl"}


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


@pytest.fixture
def package(api: Any, admin: dict[str, str]) -> dict[str, Any]:
    created = api.post("/v1/admin/properties/demo/packages", json=NIGHTS, headers=admin)
    assert created.status_code == 201, created.json
    return dict(created.json)


def issue(api: Any, admin: dict[str, str], package_id: str, **extra: Any) -> dict[str, Any]:
    issued = api.post(f"/v1/admin/properties/demo/packages/{package_id}/holdings",
                      json={"holder": HOLDER, **extra}, headers=admin)
    assert issued.status_code == 201, issued.json
    return dict(issued.json)


def consume(api: Any, admin: dict[str, str], code: str, booking: str, units: int, offer: str | None = None) -> Any:
    body: dict[str, Any] = {"code": code, "booking_id": booking, "units": units}
    if offer:
        body["offer_id"] = offer
    return api.post("/v1/properties/demo/package-holdings/consume", json=body, headers=admin)


def test_define_list_and_change_a_package(api: Any, admin: Any, package: dict[str, Any]) -> None:
    assert package["id"].startswith("pkg_") and package["units"] == 5 and package["archived"] is False
    listed = api.get("/v1/admin/properties/demo/packages", headers=admin).json["packages"]
    assert [p["id"] for p in listed] == [package["id"]]
    changed = api.put(f"/v1/admin/properties/demo/packages/{package['id']}",
                      json={**NIGHTS, "price": 47000, "archived": True}, headers=admin)
    assert changed.status_code == 200 and changed.json["price"] == 47000 and changed.json["archived"] is True
    refused = api.post(f"/v1/admin/properties/demo/packages/{package['id']}/holdings", json={"holder": HOLDER},
                       headers=admin)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "package_archived"


def test_bad_definitions_answer_4xx_with_the_field(api: Any, admin: Any) -> None:
    service = api.post("/v1/admin/properties/demo/packages", json={**NIGHTS, "unit": "service", "offer_ids": None},
                       headers=admin)
    assert service.status_code in (400, 422)
    currency = api.post("/v1/admin/properties/demo/packages", json={**NIGHTS, "currency": "USD"}, headers=admin)
    assert currency.status_code == 409 and currency.json["error"]["details"] == [{"field": "body.currency"}]
    units = api.post("/v1/admin/properties/demo/packages", json={**NIGHTS, "units": 0}, headers=admin)
    assert units.status_code in (400, 422) and "units" in str(units.json["error"]["details"])


def test_consume_give_back_and_the_ledger(api: Any, admin: Any, package: dict[str, Any]) -> None:
    holding = issue(api, admin, package["id"])
    code = holding["code"]
    assert holding["balance"] == 5 and holding["status"] == "active" and holding["price_paid"] == 45000
    first = consume(api, admin, code.lower(), "BK-1", 3, "gite-bout-du-monde")
    assert first.status_code == 200 and first.json["units"] == 3 and first.json["replayed"] is False
    replay = consume(api, admin, code, "BK-1", 3, "gite-bout-du-monde")
    assert replay.json["replayed"] is True
    too_many = consume(api, admin, code, "BK-2", 3)
    assert too_many.status_code == 409 and too_many.json["error"]["code"] == "insufficient_units"
    not_covered = consume(api, admin, code, "BK-2", 1, "gite-insolite")
    assert not_covered.status_code == 409 and not_covered.json["error"]["code"] == "offer_not_covered"
    balance = api.get(f"/v1/properties/demo/package-holdings/{code}", headers=admin).json
    assert balance["balance"] == 2
    released = api.delete("/v1/properties/demo/package-holdings/consumptions/BK-1", headers=admin)
    assert released.status_code == 200 and released.json == {"released": 1}
    again = api.delete("/v1/properties/demo/package-holdings/consumptions/BK-1", headers=admin)
    assert again.json == {"released": 0}
    detail = api.get(f"/v1/admin/properties/demo/package-holdings/{code}", headers=admin).json
    assert detail["holding"]["balance"] == 5
    assert [(e["kind"], e["units"]) for e in detail["ledger"]] == [("issue", 5), ("consume", -3), ("release", 3)]
    assert detail["ledger_sum"] == detail["holding"]["balance"]
    page = api.get(f"/v1/admin/properties/demo/package-holdings/{code}/print", headers=admin)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "5 nachten" in page.get_data(as_text=True) and code in page.get_data(as_text=True)  # the holder's language
    # after a release the booking can consume again
    assert consume(api, admin, code, "BK-1", 5).json["replayed"] is False
    assert api.get(f"/v1/properties/demo/package-holdings/{code}", headers=admin).json["status"] == "used"


def test_concurrent_bookings_never_overdraw(api: Any, admin: Any, package: dict[str, Any]) -> None:
    code = issue(api, admin, package["id"])["code"]
    answers: list[int] = []

    def book(i: int) -> None:
        answers.append(consume(api, admin, code, f"BK-C{i}", 2).status_code)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers.count(200) == 2  # 5 units: two bookings of 2, never three
    detail = api.get(f"/v1/admin/properties/demo/package-holdings/{code}", headers=admin).json
    assert detail["holding"]["balance"] == 1 and detail["ledger_sum"] == 1


def test_expired_and_void_packages_cannot_be_used(api: Any, admin: Any, package: dict[str, Any]) -> None:
    expiring = issue(api, admin, package["id"])["code"]
    voided = issue(api, admin, package["id"])["code"]
    answer = api.post(f"/v1/admin/properties/demo/package-holdings/{voided}/void", headers=admin)
    assert answer.status_code == 200 and answer.json["status"] == "void" and answer.json["balance"] == 0
    assert consume(api, admin, voided, "BK-V", 1).json["error"]["code"] == "package_void"
    clock.travel(400 * 86400)
    refused = consume(api, admin, expiring, "BK-E", 1)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "package_expired"
    assert api.get(f"/v1/properties/demo/package-holdings/{expiring}", headers=admin).json["status"] == "expired"
    mistyped = consume(api, admin, expiring[:-1] + ("A" if expiring[-1] != "A" else "B"), "BK-E", 1)
    assert mistyped.status_code == 400


def test_the_issued_list_and_its_csv_export_are_neutralised(api: Any, admin: Any, package: dict[str, Any]) -> None:
    issue(api, admin, package["id"])
    api.post(f"/v1/admin/properties/demo/packages/{package['id']}/holdings",
             json={"holder": {**HOLDER, "first_name": "=HYPERLINK(\"x\")", "email": "evil@example.com"}},
             headers=admin)
    listed = api.get(f"/v1/admin/properties/demo/packages/{package['id']}/holdings", headers=admin).json["holdings"]
    assert len(listed) == 2
    export = api.get(f"/v1/admin/properties/demo/packages/{package['id']}/holdings/export", headers=admin)
    text = export.get_data(as_text=True)
    assert export.status_code == 200 and text.startswith("\ufeffcode;package;unit")
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text


def test_gdpr_export_and_erasure_include_the_holder(api: Any, admin: Any, package: dict[str, Any]) -> None:
    code = issue(api, admin, package["id"])["code"]
    exported = api.get("/v1/admin/properties/demo/guests/anna.devries@example.com/export", headers=admin)
    assert exported.status_code == 200, exported.json
    assert [p["code"] for p in exported.json.get("prepaid_packages", [])] == [code]
    erased = api.post("/v1/admin/properties/demo/guests/anna.devries@example.com/erasure", headers=admin)
    assert erased.status_code == 200, erased.json
    detail = api.get(f"/v1/admin/properties/demo/package-holdings/{code}", headers=admin).json
    assert detail["holding"]["holder"] is None and detail["holding"]["balance"] == 5
