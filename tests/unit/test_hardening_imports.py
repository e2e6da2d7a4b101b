"""Issue 12, item 14: every import has row and size caps (reviews and partner cards had none)."""

from __future__ import annotations

import pytest

from revenir.core.errors import InvalidInput
from revenir.core.validation import MAX_IMPORT_CHARACTERS, MAX_IMPORT_ROWS
from revenir.reviews.sources import read_rows
from revenir.sales.partner_cards import parse_cards


def test_finding_14_partner_card_import_is_capped() -> None:
    with pytest.raises(InvalidInput) as rows:
        parse_cards("card_number\n" + "ABCD-1234\n" * (MAX_IMPORT_ROWS + 5))
    assert rows.value.code == "file_too_large" and rows.value.details[0]["limit"] == "rows"
    with pytest.raises(InvalidInput) as size:
        parse_cards("A" * (MAX_IMPORT_CHARACTERS + 1))
    assert size.value.details[0]["limit"] == "characters"


def test_finding_14_review_import_is_capped() -> None:
    with pytest.raises(InvalidInput) as raised:
        read_rows("name,rating\n" + "x,5\n" * (MAX_IMPORT_ROWS + 5))
    assert raised.value.code == "file_too_large"
    with pytest.raises(ValueError, match="reviews per file"):
        read_rows("[" + ",".join(["{}"] * (MAX_IMPORT_ROWS + 1)) + "]")


def test_finding_12_review_import_nested_thousands_deep_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="nested"):
        read_rows("[" * 100_000 + "]" * 100_000)
