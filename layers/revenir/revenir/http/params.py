"""Path parameters shared by the functions' routes (imports pydantic: only for functions that validate)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

PropertyId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", description="Property identifier.")]
BookingId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", description="The booking engine's id.")]
#: A CSV export's language (separator, decimal mark, words, headers): default the property's (docs/decisions.md).
CsvLocale = Annotated[str | None, Query(alias="locale", pattern=r"^(fr|en|nl|de)$",
                                        description="fr, nl, de: `;` and decimal commas; en: `,` and decimal points. "
                                                    "Default: the property's language.")]
