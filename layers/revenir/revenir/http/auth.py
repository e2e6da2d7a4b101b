"""Who is calling: the verified JWT claims that API Gateway's authorizer puts in the event.

The token's `property_ids` claim lists the properties the caller manages. API Gateway (HTTP API JWT
authorizer) turns array claims into strings such as "[a b]"; a Cognito pre-token-generation trigger may
also send "a,b" or a JSON list. All forms are accepted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from revenir.core.errors import Forbidden, Unauthorized


def property_ids_from_claims(claims: Mapping[str, Any] | None) -> frozenset[str]:
    if not claims:
        raise Unauthorized("a bearer token is required for this route")
    raw = claims.get("property_ids", claims.get("custom:property_ids"))
    if raw is None:
        return frozenset()
    if isinstance(raw, (list, tuple)):
        return frozenset(str(p) for p in raw)
    text = str(raw).strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
            return frozenset(str(p) for p in parsed)
        except ValueError:
            text = text[1:-1]
    return frozenset(p for p in text.replace(",", " ").split() if p)


def require_property(claims: Mapping[str, Any] | None, property_id: str) -> None:
    """403 unless the caller's token lists `property_id`: no caller touches another tenant's data."""
    if property_id not in property_ids_from_claims(claims):
        raise Forbidden(f"this token does not manage property {property_id!r}")
