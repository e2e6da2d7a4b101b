"""Redemptions by the booking engine (one transaction, never below zero, once per booking), the balance check,
the admin list, CSV export and import, manual issue and extension — on moto."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from revenir.core import clock
from revenir.vouchers import codes as voucher_codes


def issue(api: Any, admin: dict[str, str], product_id: str, **body: Any) -> dict[str, Any]:
    response = api.post(f"/v1/admin/properties/demo/gift-products/{product_id}/vouchers", headers=admin,
                        json={"reason": "Tombola 2026", **body})
    assert response.status_code == 201, response.json
    return dict(response.json)


def redeem(api: Any, admin: dict[str, str], code: str, booking_id: str, amount: int) -> Any:
    return api.post("/v1/properties/demo/vouchers/redeem", headers=admin,
                    json={"code": code, "booking_id": booking_id, "amount": amount, "currency": "EUR"})


def detail(api: Any, admin: dict[str, str], code: str) -> dict[str, Any]:
    return dict(api.get(f"/v1/admin/properties/demo/vouchers/{code}", headers=admin).json)


def test_redeem_is_one_transaction_idempotent_and_never_below_zero(api: Any, admin: Any, catalog: Any,
                                                                   aws: Any) -> None:
    voucher = issue(api, admin, catalog["custom"]["id"], amount=10000)
    code = voucher["code"]
    aws.CALLS.clear()
    first = redeem(api, admin, code.lower().replace("-", " "), "B-1", 3000)
    assert first.status_code == 201 and first.json["amount"] == 3000
    assert {op: n for op, n in aws.CALLS.items() if op.startswith("dynamodb.")} == {
        "dynamodb.TransactWriteItems": 1}
    again = redeem(api, admin, code, "B-1", 3000)
    assert again.status_code == 200 and again.json["replayed"] is True
    too_much = redeem(api, admin, code, "B-2", 7001)
    assert too_much.status_code == 409 and too_much.json["error"]["code"] == "insufficient_balance"
    assert redeem(api, admin, code, "B-2", 7000).status_code == 201
    used = detail(api, admin, code)
    assert used["voucher"]["balance"] == 0 and used["voucher"]["status"] == "used"
    assert used["ledger_sum"] == 0 and [e["kind"] for e in used["ledger"]].count("redeem") == 2
    assert api.delete("/v1/properties/demo/vouchers/redemptions/B-1", headers=admin).status_code == 204
    assert api.delete("/v1/properties/demo/vouchers/redemptions/B-1", headers=admin).status_code == 204
    back = detail(api, admin, code)
    assert back["voucher"]["balance"] == 3000 == back["ledger_sum"] and back["voucher"]["status"] == "partly_used"
    assert api.delete("/v1/properties/demo/vouchers/redemptions/NOPE", headers=admin).status_code == 404


def test_a_mistyped_code_is_refused_before_any_lookup(api: Any, admin: Any, catalog: Any, aws: Any) -> None:
    code = issue(api, admin, catalog["fifty"]["id"])["code"].replace("-", "")
    wrong = next(c for c in voucher_codes.ALPHABET if c != code[3])
    aws.CALLS.clear()
    response = redeem(api, admin, code[:3] + wrong + code[4:], "B-9", 100)
    assert response.status_code == 400 and response.json["error"]["code"] == "code_mistyped"
    assert not [op for op in aws.CALLS if op.startswith("dynamodb.")]
    unknown = voucher_codes.generate()
    assert redeem(api, admin, unknown, "B-9", 100).json["error"]["code"] == "voucher_not_found"


def test_concurrent_redemptions_never_overdraw(api: Any, admin: Any, catalog: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # One process, many threads: Powertools Metrics (one per module, not thread-safe) would race on flush.
    # Lambda never runs two invocations in one process; the metric is irrelevant here.
    from functions.vouchers import app as vouchers_app

    monkeypatch.setattr(vouchers_app.metrics, "add_metric", lambda **_: None)
    code = issue(api, admin, catalog["custom"]["id"], amount=10000)["code"]
    results: list[int] = []
    barrier = threading.Barrier(12)

    def use(n: int) -> None:
        barrier.wait()
        results.append(redeem(api, admin, code, f"C-{n}", 3000).status_code)

    threads = [threading.Thread(target=use, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(201) == 3 and set(results) <= {201, 409}
    final = detail(api, admin, code)
    assert final["voucher"]["balance"] == 1000 == final["ledger_sum"]


def test_cards_are_used_whole_and_expired_or_void_vouchers_refused(api: Any, admin: Any, catalog: Any) -> None:
    card = issue(api, admin, catalog["card"]["id"])
    assert redeem(api, admin, card["code"], "K-1", 100).json["error"]["code"] == "card_value_mismatch"
    used = redeem(api, admin, card["code"], "K-1", 20400)
    assert used.status_code == 201
    assert redeem(api, admin, card["code"], "K-2", 20400).json["error"]["code"] == "voucher_used"
    soon = issue(api, admin, catalog["fifty"]["id"], valid_until=str(clock.local_today("Europe/Brussels")))
    clock.travel(2 * 86400)
    assert redeem(api, admin, soon["code"], "E-1", 100).json["error"]["code"] == "voucher_expired"
    extended = api.patch(f"/v1/admin/properties/demo/vouchers/{soon['code']}", headers=admin,
                         json={"valid_until": str(clock.local_today("Europe/Brussels") + timedelta(days=30))})
    assert extended.status_code == 200 and extended.json["status"] == "unused"
    assert redeem(api, admin, soon["code"], "E-1", 100).status_code == 201
    voided = api.post(f"/v1/admin/properties/demo/vouchers/{soon['code']}/void", headers=admin)
    assert voided.json["status"] == "void" and voided.json["balance"] == 0
    assert redeem(api, admin, soon["code"], "E-2", 100).json["error"]["code"] == "voucher_void"
    assert detail(api, admin, soon["code"])["ledger_sum"] == 0


def test_public_balance_check_is_guarded(api: Any, admin: Any, catalog: Any) -> None:
    code = issue(api, admin, catalog["fifty"]["id"])["code"]
    shown = api.get(f"/v1/properties/demo/vouchers/{code.lower()}").json
    assert shown == {"code": code, "status": "unused", "balance": 5000, "currency": "EUR", "kind": "voucher",
                     "name": "Chèque cadeau 50 €", "valid_until": shown["valid_until"]}
    statuses = [api.get(f"/v1/properties/demo/vouchers/{voucher_codes.generate()}").status_code for _ in range(21)]
    assert statuses[:20] == [404] * 20 and statuses[20] == 429
    blocked = api.get(f"/v1/properties/demo/vouchers/{code}")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0


def test_admin_list_filters_and_pages(api: Any, admin: Any, catalog: Any) -> None:
    product = catalog["custom"]["id"]
    codes = [issue(api, admin, product, amount=5000)["code"] for _ in range(5)]
    redeem(api, admin, codes[0], "L-1", 5000)
    redeem(api, admin, codes[1], "L-2", 1000)
    url = f"/v1/admin/properties/demo/gift-products/{product}/vouchers"
    by_status = {s: [v["code"] for v in api.get(f"{url}?status={s}", headers=admin).json["vouchers"]]
                 for s in ("used", "partly_used", "unused", "void", "expired")}
    assert by_status["used"] == [codes[0]] and by_status["partly_used"] == [codes[1]]
    assert sorted(by_status["unused"]) == sorted(codes[2:]) and by_status["void"] == by_status["expired"] == []
    first = api.get(f"{url}?limit=2", headers=admin).json
    second = api.get(f"{url}?limit=2&cursor={first['next_cursor']}", headers=admin).json
    assert len(first["vouchers"]) == 2 and len(second["vouchers"]) == 2
    assert not {v["code"] for v in first["vouchers"]} & {v["code"] for v in second["vouchers"]}
    assert api.get(f"{url}?status=lost", headers=admin).status_code == 400


def test_csv_export_is_excel_friendly(api: Any, admin: Any, catalog: Any) -> None:
    product = catalog["fifty"]["id"]
    code = issue(api, admin, product, recipient_name="Charlotte")["code"]
    response = api.get(f"/v1/admin/properties/demo/gift-products/{product}/vouchers/export", headers=admin)
    assert response.status_code == 200 and response.content_type.startswith("text/csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffClient;E-mail;Commande;Code;Date d'achat;Valable jusqu'au;Statut;Valeur;Solde")
    assert "\r\n" in text and f";{code};" in text and ";unused;50,00;50,00;EUR;Charlotte;manual" in text
    english = api.get(f"/v1/admin/properties/demo/gift-products/{product}/vouchers/export?locale=en",
                      headers=admin).get_data(as_text=True)
    assert english.startswith("\ufeffClient,E-mail,Order,Code") and ",unused,50.00,50.00,EUR,Charlotte," in english
    # the export's (French) headers are understood by the import: the row is read, its code recognised as taken
    reimport = api.post(f"/v1/admin/properties/demo/gift-products/{product}/vouchers/import",
                        data=text.encode(), headers={**admin, "Content-Type": "text/csv"})
    assert reimport.status_code == 200, reimport.json
    assert [(r["code"], r["status"]) for r in reimport.json["rows"]] == [(code, "code_taken")]


CSV = """code;value;valid_until;client;email;order_number
TOMBOLA-0001;50,00;2027-12-31;Martin Colson;martin@example.com;P2201260371
tombola 0002;75;31/12/2027;;charlotte@example.com;
;50;2027-12-31;;;
TOMBOLA-0003;abc;2027-12-31;;;
TOMBOLA-0004;50;2027-12-31;;not-an-email;
TOMBOLA-0001;50;2027-12-31;;;
"""


def test_csv_import_reports_each_row_and_reimport_changes_nothing(api: Any, admin: Any, catalog: Any) -> None:
    url = f"/v1/admin/properties/demo/gift-products/{catalog['custom']['id']}/vouchers/import"
    headers = {**admin, "Content-Type": "text/csv"}
    report = api.post(url, data=CSV.encode(), headers=headers).json
    assert (report["imported"], report["unchanged"], report["rejected"]) == (2, 0, 4)
    rows = {r["row"]: r for r in report["rows"]}
    assert rows[2]["status"] == rows[3]["status"] == "imported" and rows[3]["code"] == "TOMB-OLA0-002"
    assert {rows[n]["status"] for n in (4, 5, 6, 7)} == {"error"} and "line 2" in rows[7]["message"]
    again = api.post(url, data=CSV.encode(), headers=headers).json
    assert (again["imported"], again["unchanged"], again["rejected"]) == (0, 2, 4)
    listed = api.get(f"/v1/admin/properties/demo/gift-products/{catalog['custom']['id']}/vouchers",
                     headers=admin).json["vouchers"]
    assert sorted(v["balance"] for v in listed) == [5000, 7500]
    one = detail(api, admin, "tombola0001")
    assert one["voucher"]["buyer_name"] == "Martin Colson" and one["ledger_sum"] == 5000
    other = api.post(f"/v1/admin/properties/demo/gift-products/{catalog['fifty']['id']}/vouchers/import",
                     data=b"code\nTOMBOLA0001\n", headers=headers).json
    assert other["rows"][0]["status"] == "code_taken"
    empty = api.post(url, data=b"", headers=headers)
    assert empty.status_code == 400 and empty.json["error"]["code"] == "empty_file"


@pytest.mark.parametrize("product", [
    {"kind": "card", "name": "Carte", "currency": "EUR", "value": {"type": "fixed", "amount": 100},
     "validity": {"months": 12}},
    {"kind": "voucher", "name": "X", "currency": "EUR", "value": {"type": "custom", "min_amount": 9,
                                                                   "max_amount": 1}, "validity": {"months": 1}},
    {"kind": "voucher", "name": "X", "currency": "EUR", "value": {"type": "fixed", "amount": 100},
     "validity": {"months": 12, "until": "2027-01-01"}},
])
def test_catalog_refuses_inconsistent_products(api: Any, admin: Any, product: dict[str, Any]) -> None:
    response = api.post("/v1/admin/properties/demo/gift-products", headers=admin, json=product)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_request"


def test_catalog_crud_and_gift_shop(api: Any, admin: Any, catalog: Any) -> None:
    pid = catalog["fifty"]["id"]
    body = {k: v for k, v in catalog["fifty"].items()
            if k not in ("id", "property_id", "archived", "created_at", "updated_at")}
    replaced = api.put(f"/v1/admin/properties/demo/gift-products/{pid}", headers=admin,
                       json={**body, "name_translations": {"en": "Fifty"}})
    assert replaced.status_code == 200 and replaced.json["name_translations"] == {"en": "Fifty"}
    shop = api.get("/v1/properties/demo/gift-shop").json
    assert {p["id"] for p in shop["products"]} == {p["id"] for p in catalog.values()}
    assert shop["stripe_js_url"].startswith("http") and shop["stripe_publishable_key"].startswith("pk_")
    assert shop["language"] == "fr"  # the property's: the shop's language when the host's page sets none
    assert api.delete(f"/v1/admin/properties/demo/gift-products/{pid}", headers=admin).status_code == 204
    assert pid not in {p["id"] for p in api.get("/v1/properties/demo/gift-shop").json["products"]}
    assert api.get("/v1/admin/properties/demo/gift-products", headers={}).status_code == 401
