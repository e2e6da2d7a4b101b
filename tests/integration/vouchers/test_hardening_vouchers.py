"""Issue 12 on gift vouchers: dates at the edges (item 11), imports (item 14)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_hardening_input import invoke_raw
from tests.integration.vouchers.test_vouchers_ledger import issue


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_finding_11_edge_dates_are_a_400_on_manual_issue_and_extend(api: Any, admin: Any, catalog: Any,
                                                                     day: str) -> None:
    product = catalog["fifty"]["id"]
    manual = api.post(f"/v1/admin/properties/demo/gift-products/{product}/vouchers", headers=admin,
                      json={"reason": "Tombola", "valid_until": day})
    assert manual.status_code == 400
    assert any(d["field"].endswith("valid_until") for d in manual.json["error"]["details"])
    code = issue(api, admin, product)["code"]
    extended = api.patch(f"/v1/admin/properties/demo/vouchers/{code}", headers=admin, json={"valid_until": day})
    assert extended.status_code == 400
    product_until = api.post("/v1/admin/properties/demo/gift-products", headers=admin, json={
        "kind": "voucher", "name": "Forever", "currency": "EUR", "value": {"type": "fixed", "amount": 100},
        "validity": {"until": day}})
    assert product_until.status_code == 400


def test_finding_14_a_bad_row_is_reported_and_the_good_rows_land(api: Any, admin: Any, catalog: Any) -> None:
    url = f"/v1/admin/properties/demo/gift-products/{catalog['custom']['id']}/vouchers/import"
    csv = "code;value;valid_until\nGOOD-0001;50;2027-12-31\nFOREVER-01;50;9999-12-31\nGOOD-0002;20;31/12/2027\n"
    response = api.post(url, data=csv.encode(), headers={**admin, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.json
    report = response.json
    assert (report["imported"], report["rejected"]) == (2, 1)
    bad = next(r for r in report["rows"] if r["status"] == "error")
    assert bad["row"] == 3 and "9999-12-31" in bad["message"]


def test_finding_14_windows_1252_csv_is_decoded(gateway: Any, admin: Any, catalog: Any) -> None:
    url = f"/v1/admin/properties/demo/gift-products/{catalog['custom']['id']}/vouchers/import"
    csv = "code;value;client\nNOEL-0001;50;Hélène Dupré\n".encode("cp1252")
    status, report = invoke_raw(gateway, "POST", url, csv, "text/csv", admin)
    assert status == 200 and report["imported"] == 1
    declared, _ = invoke_raw(gateway, "POST", url, "code;client\nNOEL-0002;Zoë\n".encode("cp1252"),
                             "text/csv; charset=windows-1252", admin)
    assert declared == 200
    unknown, body = invoke_raw(gateway, "POST", url, b"code\nX", "text/csv; charset=klingon", admin)
    assert unknown == 415 and "klingon" in body["error"]["message"]


def test_finding_14_import_size_is_capped(api: Any, admin: Any, catalog: Any) -> None:
    url = f"/v1/admin/properties/demo/gift-products/{catalog['custom']['id']}/vouchers/import"
    big = "code;client\n" + ("ABCD-0001;" + "x" * 200 + "\n") * 21_000
    response = api.post(url, data=big.encode(), headers={**admin, "Content-Type": "text/csv"})
    assert response.status_code == 400 and response.json["error"]["code"] == "file_too_large"


def test_finding_5_voucher_export_neutralises_guest_typed_cells(api: Any, admin: Any, catalog: Any) -> None:
    product = catalog["fifty"]["id"]
    issue(api, admin, product, recipient_name='=HYPERLINK("https://evil.example")')
    text = api.get(f"/v1/admin/properties/demo/gift-products/{product}/vouchers/export",
                   headers=admin).get_data(as_text=True)
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    recipients = [r["Bénéficiaire"] for r in rows if "HYPERLINK" in r["Bénéficiaire"]]  # the property speaks French
    assert recipients == ["'=HYPERLINK(\"https://evil.example\")"]


def test_finding_16_a_product_whose_vouchers_could_not_be_issued_is_not_sold(api: Any, admin: Any) -> None:
    from datetime import timedelta

    from revenir.core import clock

    yesterday = str(clock.local_today("Europe/Brussels") - timedelta(days=1))
    created = api.post("/v1/admin/properties/demo/gift-products", headers=admin, json={
        "kind": "voucher", "name": "Noël passé", "currency": "EUR", "value": {"type": "fixed", "amount": 5000},
        "validity": {"until": yesterday}})
    assert created.status_code == 201, created.json
    order = api.post("/v1/properties/demo/gift-orders", json={
        "items": [{"product_id": created.json["id"], "quantity": 1}],
        "buyer": {"first_name": "Martin", "last_name": "Colson", "email": "martin@example.com"}})
    assert order.status_code == 400
    assert order.json["error"]["code"] == "product_not_for_sale" and "validity" in order.json["error"]["message"]
