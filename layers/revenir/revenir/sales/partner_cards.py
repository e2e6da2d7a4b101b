"""Partner cards (like the seeds' "Pass VISITWallonia"): a partner program with a discount and a list of
card numbers; a card number is accepted at validation like a code, once per booking."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from pydantic import ConfigDict, Field, model_validator

from revenir.codes.models import Discount, Evaluation, GuestLanguage, StayRules, ValidateRequest, price
from revenir.core.validation import Day, SingleLine, check_import_size

_CARD = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")


def normalize_card(value: str) -> str:
    return value.strip().upper().replace(" ", "")


class PartnerProgramInput(StayRules):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    name: SingleLine = Field(min_length=1, max_length=120, examples=["Pass VISITWallonia"])
    name_translations: dict[GuestLanguage, str] = Field(default_factory=dict)
    discount: Discount
    valid_from: Day
    valid_until: Day

    @model_validator(mode="after")
    def _window(self) -> PartnerProgramInput:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class PartnerProgram(PartnerProgramInput):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    id: str
    property_id: str
    cards: int = Field(default=0, description="Card numbers loaded.")
    archived: bool = False
    created_at: str
    updated_at: str


@dataclass
class CardRows:
    numbers: list[str]
    errors: list[dict[str, object]]


def parse_cards(text: str) -> CardRows:
    """One card number per row (first column; a header row 'card_number' is skipped). Bad rows are reported."""
    check_import_size(text)
    numbers: list[str] = []
    errors: list[dict[str, object]] = []
    seen: set[str] = set()
    for index, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=_delimiter(text)), 1):
        if not row or not row[0].strip():
            continue
        value = normalize_card(row[0])
        if index == 1 and value in ("CARD_NUMBER", "CARD", "NUMERO", "NUMBER"):
            continue
        if not _CARD.match(value):
            errors.append({"row": index, "value": row[0], "error": "not a card number (4-40 letters, digits, -)"})
        elif value in seen:
            errors.append({"row": index, "value": row[0], "error": "duplicate in this file"})
        else:
            seen.add(value)
            numbers.append(value)
    return CardRows(numbers, errors)


def _delimiter(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    return ";" if first.count(";") > first.count(",") else ","


def evaluate_card(program: PartnerProgram, number: str, request: ValidateRequest, today: date) -> Evaluation:
    if program.archived:
        return Evaluation("unknown")
    if today < program.valid_from:
        return Evaluation("not_yet_valid")
    if today > program.valid_until:
        return Evaluation("expired")
    reason, priced = price(program, program.discount, request)
    return Evaluation(reason, None, priced, kind="partner_card", name=program.name, code=number, ref=program.id)
