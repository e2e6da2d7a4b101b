"""Dates, money and numbers written the way each language writes them, with Babel (CLDR data).

Babel is imported at the first call, not with this module: a route that formats nothing (the hot promo-code
paths) never loads it (about 25 ms of import and 15 ms of first-use locale data per container, measured in
docs/decisions.md). Money is integer minor units here (revenir.core.money), turned into a Decimal for Babel:
never a float.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from revenir.core.money import minor_unit_exponent

#: Babel locale per language (the country matters for money: "€ 50,00" in nl, "50,00 €" in fr and de).
LOCALES = {"fr": "fr_FR", "en": "en_GB", "nl": "nl_NL", "de": "de_DE"}


def locale_of(language: str) -> str:
    return LOCALES.get(language, LOCALES["en"])


def _day(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def major(amount: int, currency: str) -> Decimal:
    """50.00 for 5000 cents of EUR (exact, from integer minor units)."""
    return Decimal(amount).scaleb(-minor_unit_exponent(currency))


def format_date(value: date | datetime | str, language: str, length: str = "long") -> str:
    """3 décembre 2026 · 3 December 2026 · 3 december 2026 · 3. Dezember 2026 (length: short/medium/long)."""
    from babel.dates import format_date as babel_date

    return str(babel_date(_day(value), format=length, locale=locale_of(language)))


def format_money(amount: int, currency: str, language: str) -> str:
    """50,00 € · €50.00 · € 50,00 · 50,00 € (amount in minor units)."""
    from babel.numbers import format_currency

    return str(format_currency(major(amount, currency), currency, locale=locale_of(language)))


def format_amount(amount: int, currency: str, language: str) -> str:
    """The amount without its currency and without grouping, for spreadsheets: 270,00 (fr) · 270.00 (en)."""
    from babel.numbers import format_decimal

    exponent = minor_unit_exponent(currency)
    pattern = "0." + "0" * exponent if exponent else "0"
    return str(format_decimal(major(amount, currency), format=pattern, locale=locale_of(language)))


def format_percent(percent: int | float | Decimal, language: str) -> str:
    """10 % (fr, de: a no-break space) · 10% (en, nl) · 12,5 % (the value is in percent, not a fraction)."""
    from babel.numbers import format_percent as babel_percent

    fraction = Decimal(str(percent)) / 100
    return str(babel_percent(fraction, locale=locale_of(language), decimal_quantization=False))


def format_number(value: int | float | Decimal, language: str) -> str:
    """4,5 · 4.5 · 1 234 (grouping and decimal mark of the language)."""
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=locale_of(language)))


def decimal_mark(language: str) -> str:
    from babel.numbers import get_decimal_symbol

    return str(get_decimal_symbol(locale_of(language)))


__all__ = [
    "LOCALES",
    "decimal_mark",
    "format_amount",
    "format_date",
    "format_money",
    "format_number",
    "locale_of",
    "major",
]
