"""The dashboard counts gift vouchers sold and their revenue in the month of the sale (issue 11)."""

from __future__ import annotations

from typing import Any

from revenir.core import clock
from tests.integration.vouchers.conftest import succeeded


def test_a_paid_order_counts_its_vouchers_and_revenue_once(api: Any, admin: Any, order: Any,
                                                           post_event: Any) -> None:
    created = order()  # two 50 € vouchers
    for _ in range(3):  # Stripe's retries issue (and count) once
        assert post_event(succeeded(created)).status_code == 200
    board = api.get("/v1/admin/properties/demo/dashboard", headers=admin).json
    assert board["month"] == clock.local_today("Europe/Brussels").strftime("%Y-%m")
    expected = {"sold": 2, "revenue": {created["currency"].upper(): created["amount"]}}
    assert board["this_month"]["vouchers"] == expected
    assert board["last_12_months"]["vouchers"] == expected
