"""Money and dates written the way each guest language writes them (fr, en, nl, de). No babel: four
languages, a few rules."""

from __future__ import annotations

from datetime import date

from revenir.core.money import minor_unit_exponent

_MONTHS = {
    "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split(),
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "nl": "jan. feb. mrt. apr. mei jun. jul. aug. sep. okt. nov. dec.".split(),
    "de": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez.".split(),
}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


def format_date(value: date | str, language: str) -> str:
    """31 déc. 2024 · Dec 31, 2024 · 31 dec. 2024 · 31. Dez. 2024"""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    months = _MONTHS.get(language, _MONTHS["en"])
    month = months[day.month - 1]
    if language == "en":
        return f"{month} {day.day}, {day.year}"
    if language == "de":
        return f"{day.day}. {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def format_money(amount: int, currency: str, language: str) -> str:
    """50,00 € · €50.00 · € 50,00 · 50,00 €"""
    exponent = minor_unit_exponent(currency)
    units, cents = divmod(abs(amount), 10**exponent) if exponent else (abs(amount), 0)
    decimal_sep, group_sep = (".", ",") if language == "en" else (",", "\u202f" if language == "fr" else ".")
    grouped = f"{units:,}".replace(",", group_sep)
    number = f"{grouped}{decimal_sep}{cents:0{exponent}d}" if exponent else grouped
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency, currency)
    if language == "en":
        return f"{sign}{symbol}{number}"
    if language == "nl":
        return f"{symbol} {sign}{number}"
    return f"{sign}{number}\u00a0{symbol}"
