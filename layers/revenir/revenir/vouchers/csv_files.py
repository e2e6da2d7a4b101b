"""CSV of gift vouchers: the Excel-friendly export of a product's "ordered by" list, and the import of codes
sold elsewhere (a tombola, a partner), with a per-row report.

Export: the shared writer (revenir.i18n.csv_export): UTF-8 with a BOM, `;` and decimal commas in fr/nl/de, `,`
and decimal points in en, ISO dates, headers in the property's language.
Import: the same columns (a subset is enough; the export's headers in any of our languages are understood
too): `code` (required), `value` (major units, `50`, `50,00` or `50.00`; default the product's fixed value),
`valid_until` (YYYY-MM-DD or DD/MM/YYYY; default the product's validity from the purchase date),
`purchase_date`, `client`, `email`, `order_number`. `,` or `;` separated.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from revenir.core.errors import InvalidInput
from revenir.core.money import minor_unit_exponent
from revenir.core.validation import MAX_IMPORT_ROWS, Day, check_day, check_import_size, normalize_email
from revenir.i18n import LANGUAGES, csv_export, t
from revenir.vouchers import codes as voucher_codes
from revenir.vouchers.models import FixedValue, GiftProduct, Voucher

EXPORT_COLUMNS = ("client", "email", "order_number", "code", "purchase_date", "valid_until", "status", "value",
                  "balance", "currency", "recipient", "source")
IMPORT_COLUMNS = frozenset({"code", "value", "valid_until", "purchase_date", "client", "email", "order_number"})


def export(vouchers: Iterable[Voucher], lang: str) -> str:
    return csv_export.write("vouchers", EXPORT_COLUMNS, (
        [v.buyer_name, v.buyer_email, v.order_number, v.code, v.purchased_at[:10], str(v.valid_until), v.status,
         csv_export.Amount(v.initial_value, v.currency), csv_export.Amount(v.balance, v.currency), v.currency,
         v.recipient_name, v.source] for v in vouchers), lang)


def _column(header: str | None) -> str:
    """A column's key from its header: the key itself, or the export's header in any of our languages."""
    name = (header or "").strip().lower()
    if name in IMPORT_COLUMNS:
        return name
    return _LOCALISED_HEADERS().get(name, name)


@cache
def _LOCALISED_HEADERS() -> dict[str, str]:
    return {t(lang, f"csv.vouchers.{c}").lower(): c for lang in LANGUAGES for c in EXPORT_COLUMNS}


@dataclass
class ImportRow:
    row: int  # line number in the file (the header is line 1)
    code: str
    value: int
    purchase_date: Day
    valid_until: Day
    client: str | None = None
    email: str | None = None
    order_number: str | None = None


@dataclass
class ParsedImport:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def _parse_date(text: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY within the API's date range (a 9999-12-31 "never expires" is that row's error)."""
    text = text.strip()
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
        day = datetime.strptime(text, "%d/%m/%Y").date()
    else:
        day = date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text)
    try:
        return check_day(day)
    except ValueError as exc:
        raise ValueError(f"{text!r}: dates {exc}") from exc


def _parse_amount(text: str, currency: str) -> int:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not an amount") from exc
    minor = value * 10 ** minor_unit_exponent(currency)
    if minor != minor.to_integral_value() or minor <= 0:
        raise ValueError(f"{text!r} is not a positive amount in {currency}")
    return int(minor)


def parse_import(text: str, product: GiftProduct, today: date) -> ParsedImport:
    """Every row checked on its own: good rows are returned, bad rows reported (line, code, message)."""
    text = text.lstrip("\ufeff")
    check_import_size(text)
    if not text.strip():
        raise InvalidInput("the file is empty", code="empty_file")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = {_column(h) for h in (reader.fieldnames or [])}
    if "code" not in header:
        raise InvalidInput("the first line must name the columns, `code` at least", code="missing_code_column",
                           details=[{"columns": sorted(IMPORT_COLUMNS)}])
    result = ParsedImport()
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader, start=2):
        if index - 1 > MAX_IMPORT_ROWS:
            raise InvalidInput(f"at most {MAX_IMPORT_ROWS} rows per file", code="file_too_large")
        row = {_column(k): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        if not any(row.values()):
            continue
        try:
            code = voucher_codes.parse_foreign(row.get("code", ""))
            if code in seen:
                raise ValueError(f"the same code is on line {seen[code]}")
            if row.get("value"):
                value = _parse_amount(row["value"], product.currency)
            elif isinstance(product.value, FixedValue):
                value = product.value.amount
            else:
                raise ValueError("value is required: the product's value is chosen by the buyer")
            purchased = _parse_date(row["purchase_date"]) if row.get("purchase_date") else today
            valid_until = (_parse_date(row["valid_until"]) if row.get("valid_until")
                           else product.validity.end(purchased))
            if valid_until < purchased:
                raise ValueError("valid_until is before the purchase date")
            email = normalize_email(row["email"]) if row.get("email") else None
        except (InvalidInput, ValueError) as exc:
            message = exc.message if isinstance(exc, InvalidInput) else str(exc)
            result.errors.append({"row": index, "code": row.get("code", ""), "status": "error", "message": message})
            continue
        seen[code] = index
        result.rows.append(ImportRow(row=index, code=code, value=value, purchase_date=purchased,
                                     valid_until=valid_until, client=row.get("client") or None, email=email,
                                     order_number=row.get("order_number") or None))
    return result
