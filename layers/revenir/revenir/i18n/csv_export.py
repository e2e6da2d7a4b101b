"""The one CSV writer of every export (guests, gift vouchers, reviews, promo codes): what a spreadsheet opens
correctly in the host's locale (docs/decisions.md, "CSV exports follow the property's language").

- UTF-8 with a byte-order mark (Excel detects the encoding), CRLF line ends;
- `;` between cells for fr, nl and de (their Excel uses `,` as the decimal mark), `,` for en;
- amounts (`Amount`, integer minor units) as plain decimals with the language's mark: 27000 cents -> `270,00`;
- booleans as words of the language (`oui`/`non`, `yes`/`no`, `ja`/`nee`, `ja`/`nein`);
- dates and times as ISO 8601 (`2026-12-03`, `2026-12-03 14:05`): every spreadsheet locale reads them as dates;
- headers from the `csv` catalog (`csv.<export>.<column>`);
- every text cell neutralised against formula injection (revenir.core.csv_safe).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from revenir.core.csv_safe import neutralise
from revenir.i18n import choose, t
from revenir.i18n.formats import format_amount

SEPARATORS = {"fr": ";", "nl": ";", "de": ";", "en": ","}


@dataclass(frozen=True)
class Amount:
    """Money in a cell: integer minor units and the currency."""

    minor: int
    currency: str


def language(requested: str | None, property_language: object) -> str:
    """`?locale=` when given (fr, en, nl, de, or a tag like de-AT), else the property's language, else French
    (the back-office's first language)."""
    return choose(requested, property_language, default="fr")


def cell(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return t(lang, "csv.yes" if value else "csv.no")
    if isinstance(value, Amount):
        return format_amount(value.minor, value.currency, lang)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return str(neutralise(str(value)))


def write(export: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], lang: str) -> str:
    """The CSV text (BOM first) of `rows`, one value per column; headers are `csv.<export>.<column>`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATORS.get(lang, ";"), lineterminator="\r\n")
    writer.writerow([t(lang, f"csv.{export}.{c}") for c in columns])
    for row in rows:
        writer.writerow([cell(v, lang) for v in row])
    return "\ufeff" + buffer.getvalue()


__all__ = ["SEPARATORS", "Amount", "cell", "language", "write"]
