"""Issue 12, item 5 on the guest list export (the voucher export: tests/integration/vouchers)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.integration.test_guests_and_lifecycle_emails import put


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def test_finding_5_guest_export_neutralises_formulas(api: Any, admin: dict[str, str]) -> None:
    assert put(api, admin, "B-1", first_name="=1+cmd|' /C calc'!A0", last_name="@SUM(A1)").status_code in (200, 201)
    text = api.get("/v1/admin/properties/demo/guests/export.csv", headers=admin,
                   query_string={"reachable": "false"}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    row = next(r for r in rows if r["booking_id"] == "B-1")
    assert row["first_name"] == "'=1+cmd|' /C calc'!A0"
    assert row["last_name"] == "'@SUM(A1)"
