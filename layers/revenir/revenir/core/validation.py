"""Field checks shared by the API models: identifiers, time zones, languages, e-mail addresses."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, StringConstraints

from revenir.core.money import check_currency

ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
    ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik
    io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml
    mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
    se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi
    vo wa wo xh yi yo za zh zu""".split()
)
#: Languages Revenir ships guest-facing templates in.
GUEST_LANGUAGES = ("fr", "en", "nl", "de")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_time_zone(value: str) -> str:
    if len(value) > 64:  # the longest IANA name is 32 characters
        raise ValueError("not an IANA time zone such as Europe/Paris (at most 64 characters)")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: "Europe" is a tzdata directory
        raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Paris") from exc
    return value


def check_language(value: str) -> str:
    value = value.lower()
    if value not in ISO_639_1:
        raise ValueError(f"{value!r} is not an ISO 639-1 language code such as fr")
    return value


def normalize_email(value: str) -> str:
    """A guest is a normalized e-mail address: trimmed, lower-cased."""
    value = value.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not a valid e-mail address")
    return value


#: Every date the API takes lies in this range (docs/api.md "Input limits"): a spreadsheet's 9999-12-31
#: ("never expires") or 0001-01-01 is a 400 naming the field, never an overflow in a date computation.
MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2199, 12, 31)


def check_day(value: date) -> date:
    if not MIN_DAY <= value <= MAX_DAY:
        raise ValueError(f"must be between {MIN_DAY} and {MAX_DAY}")
    return value


Day = Annotated[date, AfterValidator(check_day)]


def check_single_line(value: str) -> str:
    """Text that may end up in a mail header (a name, a subject): no CR, LF, tab or other control character.

    Refused at input (400 naming the field) rather than failing the preview or the send later (issue 12, item 8).
    """
    for char in value:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise ValueError(f"must be one line without control characters (found U+{ord(char):04X})")
    return value


SingleLine = Annotated[str, AfterValidator(check_single_line)]
#: Every file import (gift vouchers, partner cards, review exports) is held to these (docs/api.md "Input limits").
MAX_IMPORT_ROWS = 20_000
MAX_IMPORT_CHARACTERS = 4_000_000  # about 4 MB: 20 000 rows of 200 characters


def check_import_size(text: str) -> None:
    """A file over the import caps is refused as a whole (400 file_too_large naming the cap)."""
    from revenir.core.errors import InvalidInput

    if len(text) > MAX_IMPORT_CHARACTERS:
        raise InvalidInput(f"at most {MAX_IMPORT_CHARACTERS} characters per file", code="file_too_large",
                           details=[{"field": "body", "limit": "characters", "max": MAX_IMPORT_CHARACTERS}])
    if text.count("\n") > MAX_IMPORT_ROWS + 1:
        raise InvalidInput(f"at most {MAX_IMPORT_ROWS} rows per file", code="file_too_large",
                           details=[{"field": "body", "limit": "rows", "max": MAX_IMPORT_ROWS}])


Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
TimeZone = Annotated[str, AfterValidator(check_time_zone)]
Language = Annotated[str, AfterValidator(check_language)]
Currency = Annotated[str, AfterValidator(check_currency)]
Email = Annotated[str, AfterValidator(normalize_email)]
