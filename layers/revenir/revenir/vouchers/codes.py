"""Gift-voucher codes: 16 characters in groups of four (7ZCA-TJ5F-CNW3-YB5G), drawn with `secrets`.

The alphabet has no ambiguous characters: pretix's rule drops 0/O and 1/I, and one of each look-alike pair
2/Z, 5/S, 4/A, 6/G — we keep the letters (Z, S, A, G) and drop the digits. 28 characters remain. The 16th
character is a Luhn mod 28 check character over the first 15, so a mistyped code (one wrong character, most
swaps of neighbours) is refused before any database lookup. 15 random characters: 28**15 ≈ 2**72 codes.

Codes sold elsewhere (a tombola, a partner) may be imported as they are: 4 to 32 letters and digits, no check
character. `parse` recognises both: 16 characters of our alphabet must carry a valid check character.
"""

from __future__ import annotations

import re
import secrets

from revenir.core.errors import InvalidInput

ALPHABET = "3789ABCDEFGHJKLMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 28
LENGTH = 16
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_FOREIGN = re.compile(r"^[A-Z0-9]{4,32}$")
_SEPARATORS = re.compile(r"[\s\-_.]+")


def check_character(payload: str) -> str:
    """Luhn mod N (N = 28) over `payload`: the character that makes the whole code's Luhn sum 0 mod N."""
    factor = 2
    total = 0
    for char in reversed(payload):
        addend = factor * _INDEX[char]
        factor = 1 if factor == 2 else 2
        total += addend // BASE + addend % BASE
    return ALPHABET[(BASE - total % BASE) % BASE]


def is_valid(code: str) -> bool:
    """A canonical 16-character native code whose last character checks the first 15."""
    return (len(code) == LENGTH and all(c in _INDEX for c in code)
            and check_character(code[:-1]) == code[-1])


def generate() -> str:
    """A new canonical code (no dashes), 15 random characters from `secrets` plus the check character."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return payload + check_character(payload)


def canonical(value: str) -> str:
    """Upper case, without spaces, dashes, dots or underscores."""
    return _SEPARATORS.sub("", value).upper()


def display(code: str) -> str:
    """Groups of four for people: 7ZCA-TJ5F-CNW3-YB5G (foreign codes of other lengths too)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def looks_native(code: str) -> bool:
    return len(code) == LENGTH and all(c in _INDEX for c in code)


def parse(value: str) -> str:
    """The canonical code typed by a person, in any case, with or without dashes or spaces.

    400 `code_mistyped` when a native code's check character does not match (nothing is looked up);
    400 `invalid_code` when it cannot be a code at all.
    """
    code = canonical(value)
    if looks_native(code):
        if not is_valid(code):
            raise InvalidInput("this code is mistyped: check it character by character", code="code_mistyped")
        return code
    if _FOREIGN.match(code):
        return code
    raise InvalidInput("not a gift-voucher code", code="invalid_code")


def parse_foreign(value: str) -> str:
    """A code to import: either a valid native code or 4 to 32 letters and digits."""
    return parse(value)
