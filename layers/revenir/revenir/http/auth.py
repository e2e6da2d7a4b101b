"""Who is calling: the verified JWT claims that API Gateway's authorizer puts in the event.

The `property_ids` claim lists the properties the caller manages. Its one accepted form is a JSON array of
property ids, carried as a string claim (`"[\\"demo\\",\\"moulin\\"]"`): that is what our Cognito
pre-token-generation trigger writes (Cognito's V1 claims are strings) and what API Gateway's JWT authorizer
passes on unchanged. A real list (in-process tests) is accepted too. Nothing else is: no splitting of text
on spaces or commas (a crafted `["a b"]` would otherwise grant two properties, since HTTP APIs render array
claims as `[a b]`), no user-writable attribute such as `custom:property_ids`, and every element must be a
well-formed property id, or the whole claim grants nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from revenir.core.errors import Forbidden, Unauthorized

PROPERTY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def property_ids_from_claims(claims: Mapping[str, Any] | None) -> frozenset[str]:
    if not claims:
        raise Unauthorized("a bearer token is required for this route")
    raw = claims.get("property_ids")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return frozenset()
    if not isinstance(raw, list) or not all(isinstance(p, str) and PROPERTY_ID.match(p) for p in raw):
        return frozenset()
    return frozenset(raw)


def require_property(claims: Mapping[str, Any] | None, property_id: str) -> None:
    """403 unless the caller's token lists `property_id`: no caller touches another tenant's data."""
    if property_id not in property_ids_from_claims(claims):
        raise Forbidden(f"this token does not manage property {property_id!r}")
