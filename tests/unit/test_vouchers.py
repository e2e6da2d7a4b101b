"""Gift-voucher domain: the code alphabet and check character, parsing, validity, statuses, ledger math,
webhook signatures."""

from __future__ import annotations

import time
from datetime import date

import pytest
import stripe

from revenir.core.errors import Conflict, InvalidInput
from revenir.vouchers import codes as voucher_codes
from revenir.vouchers import stripe_signature as stripe_webhook
from revenir.vouchers.models import add_months, debit_for, end_instant, ledger_balance, status_of


def test_alphabet_has_no_ambiguous_characters() -> None:
    alphabet = set(voucher_codes.ALPHABET)
    assert len(alphabet) == len(voucher_codes.ALPHABET) == 28
    assert not alphabet & set("0O1I") and all(len(alphabet & set(pair)) == 1 for pair in ("2Z", "5S", "4A", "6G"))


def test_generated_codes_are_16_characters_unique_and_checked() -> None:
    codes = {voucher_codes.generate() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 16 and voucher_codes.is_valid(c) for c in codes)
    shown = voucher_codes.display(next(iter(codes)))
    assert len(shown) == 19 and shown.count("-") == 3


def test_every_single_character_error_is_caught() -> None:
    code = voucher_codes.generate()
    for position in range(16):
        for char in voucher_codes.ALPHABET:
            if char != code[position]:
                assert not voucher_codes.is_valid(code[:position] + char + code[position + 1:])


def test_most_neighbour_swaps_are_caught() -> None:
    caught = total = 0
    for _ in range(200):
        code = voucher_codes.generate()
        for i in range(15):
            if code[i] != code[i + 1]:
                total += 1
                caught += not voucher_codes.is_valid(code[:i] + code[i + 1] + code[i] + code[i + 2:])
    assert caught / total > 0.95


@pytest.mark.parametrize("typed", ["{c}", "{lower}", "{dashed}", "  {spaced} ", "{dashed_lower}"])
def test_parse_accepts_any_case_dashes_and_spaces(typed: str) -> None:
    code = voucher_codes.generate()
    dashed = voucher_codes.display(code)
    value = typed.format(c=code, lower=code.lower(), dashed=dashed, spaced=dashed.replace("-", " "),
                         dashed_lower=dashed.lower())
    assert voucher_codes.parse(value) == code


def test_parse_refuses_a_mistyped_code_and_non_codes() -> None:
    code = voucher_codes.generate()
    wrong = code[:-1] + next(c for c in voucher_codes.ALPHABET if c != code[-1])
    with pytest.raises(InvalidInput) as mistyped:
        voucher_codes.parse(wrong)
    assert mistyped.value.code == "code_mistyped"
    with pytest.raises(InvalidInput) as invalid:
        voucher_codes.parse("<script>")
    assert invalid.value.code == "invalid_code"
    assert voucher_codes.parse("tombola-2024-001") == "TOMBOLA2024001"  # imported codes keep their own form


def test_validity_and_statuses() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 23), 12) == date(2027, 11, 23)
    assert end_instant(date(2026, 12, 31), "Europe/Brussels") == "2026-12-31T23:00:00Z"
    base = {"voided": False, "balance": 5000, "initial_value": 5000, "valid_until": "2026-12-31"}
    today = date(2026, 11, 23)
    assert status_of(base, today) == "unused"
    assert status_of(base | {"balance": 1}, today) == "partly_used"
    assert status_of(base | {"balance": 0}, today) == "used"
    assert status_of(base, date(2027, 1, 1)) == "expired"
    assert status_of(base | {"voided": True, "balance": 0}, today) == "void"


def test_ledger_math() -> None:
    entries = [5000, -1200, -800, 800, -3800]
    assert ledger_balance(entries) == 0
    assert debit_for("voucher", 5000, 1200) == 1200
    assert debit_for("card", 20400, 1) == 20400  # a card is used whole
    with pytest.raises(Conflict):
        debit_for("voucher", 1000, 1001)
    with pytest.raises(InvalidInput):
        debit_for("voucher", 1000, 0)


def test_webhook_signatures_match_stripes_own_library() -> None:
    body = b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {}}}'
    header = stripe_webhook.sign(body, "whsec_x")
    assert stripe.WebhookSignature.verify_header(body.decode(), header, "whsec_x")
    assert stripe_webhook.verify(body, header, ["whsec_x"])["id"] == "evt_1"
    for bad_header, secrets in ((None, ["whsec_x"]), ("t=1,v1=00", ["whsec_x"]), (header, ["whsec_y"]),
                                (stripe_webhook.sign(body, "whsec_x", int(time.time()) - 3600), ["whsec_x"])):
        with pytest.raises(InvalidInput) as refused:
            stripe_webhook.verify(body, bad_header, secrets)
        assert refused.value.code == "bad_signature"


def test_finding_16_issuing_failures_are_permanent_or_transient() -> None:
    from revenir.core.errors import Conflict, NotFound
    from revenir.vouchers.orders import permanent_reason

    assert permanent_reason(NotFound("gone", code="gift_product_not_found")) == "gift_product_not_found"
    assert permanent_reason(Conflict("x", code="payment_mismatch")) == "payment_mismatch"
    assert permanent_reason(Conflict("x", code="order_refunded")) == "order_refunded"
    assert permanent_reason(OverflowError("date value out of range")) == "invalid_data"
    assert permanent_reason(Conflict("x", code="concurrent_change")) is None  # a racing writer: retry
    assert permanent_reason(RuntimeError("ProvisionedThroughputExceededException")) is None
