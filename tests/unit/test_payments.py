"""Issue 17's pure rules: the platform's application fee (integer minor units, half-up), the fee parameter, the
package models' rules, the pending payment's hold and due instant, the printable package page's escaping."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from revenir.connect.models import application_fee, fee_basis_points
from revenir.packages import printable
from revenir.packages.models import PackageInput, status_of
from revenir.packages.store import _add_months, end_instant
from revenir.pending.models import PendingPaymentInput
from revenir.pending.service import MAX_HOLD_MINUTES, PendingPayments, due_instant


@pytest.mark.parametrize(("amount", "basis_points", "fee"), [
    (10000, 300, 300),  # 3 % of 100.00
    (5000, 300, 150),
    (3333, 300, 100),  # 99.99 -> 100 (half-up)
    (3316, 300, 99),  # 99.48 -> 99
    (3350, 300, 101),  # 100.5 -> 101: a half goes up
    (1, 300, 0),
    (17, 300, 1),  # 0.51 -> 1
    (10000, 0, 0),
    (10000, 10000, 10000),  # 100 %: never more than the amount
    (0, 300, 0),
    (45000, 250, 1125),
])
def test_application_fee_is_half_up_in_minor_units(amount: int, basis_points: int, fee: int) -> None:
    assert application_fee(amount, basis_points) == fee


@pytest.mark.parametrize(("text", "bp"), [("3", 300), ("2.5", 250), ("0", 0), ("100", 10000), ("0.01", 1)])
def test_fee_parameter_to_basis_points(text: str, bp: int) -> None:
    assert fee_basis_points(text) == bp


@pytest.mark.parametrize("text", ["3.001", "-1", "101", "x", ""])
def test_fee_parameter_refuses_what_cannot_be_a_fee(text: str) -> None:
    with pytest.raises(ValueError):
        fee_basis_points(text)


def package(**overrides: object) -> dict[str, object]:
    return {"name": "Forfait", "unit": "night", "units": 5, "price": 45000, "currency": "EUR", "validity_months": 12,
            **overrides}


def test_a_service_package_names_its_offers() -> None:
    with pytest.raises(ValidationError):
        PackageInput.model_validate(package(unit="service"))
    assert PackageInput.model_validate(package(unit="service", offer_ids=["massage"])).offer_ids == ["massage"]
    with pytest.raises(ValidationError):
        PackageInput.model_validate(package(units=0))
    with pytest.raises(ValidationError):
        PackageInput.model_validate(package(name="two\nlines"))


def test_holding_status() -> None:
    today = date(2026, 12, 1)
    item = {"balance": 2, "valid_until": "2026-12-01", "voided": False}
    assert status_of(item, today) == "active"
    assert status_of({**item, "balance": 0}, today) == "used"
    assert status_of({**item, "valid_until": "2026-11-30"}, today) == "expired"
    assert status_of({**item, "voided": True}, today) == "void"


def test_validity_in_months_and_the_last_instant_in_the_property_time_zone() -> None:
    assert _add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert _add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)
    assert end_instant(date(2026, 12, 31), "Europe/Brussels") == "2026-12-31T23:00:00Z"
    assert due_instant(date(2026, 7, 1), "Europe/Brussels") == "2026-07-01T22:00:00Z"


def test_the_code_hold_lasts_until_the_due_date_within_a_day() -> None:
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert PendingPayments._hold_minutes({"due_at": "2026-12-01T12:30:00Z"}, now) == 150
    assert PendingPayments._hold_minutes({"due_at": "2026-12-20T00:00:00Z"}, now) == MAX_HOLD_MINUTES
    assert PendingPayments._hold_minutes({"due_at": "2026-12-01T09:00:00Z"}, now) == 1


def test_pending_payment_lines_add_up_and_the_stay_is_ordered() -> None:
    base = {"amount": 45000, "currency": "EUR", "due_date": "2026-12-10", "arrival": "2027-01-02",
            "departure": "2027-01-05"}
    assert PendingPaymentInput.model_validate(base).lines is None
    with pytest.raises(ValidationError):
        PendingPaymentInput.model_validate({**base, "lines": [{"offer_id": "gite", "amount": 100}]})
    with pytest.raises(ValidationError):
        PendingPaymentInput.model_validate({**base, "departure": "2027-01-02"})
    with pytest.raises(ValidationError):
        PendingPaymentInput.model_validate({**base, "amount": 49})  # under Stripe's minimum charge


def test_the_printable_package_page_escapes_every_value() -> None:
    page = printable.page(printable.PrintablePackage(
        name="<script>alert(1)</script>", code="ABCD-EFGH-JKLM-NPQR", unit="night", units=5, price=45000,
        currency="EUR", valid_until="2027-12-01", property_name="Moulin & co", holder_name="\"Anna\""), "nl")
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "Moulin &amp; co" in page
    assert "5 nachten" in page and "&quot;Anna&quot;" in page
