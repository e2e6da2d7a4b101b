"""Local bearer tokens: HS256 JWTs signed with REVENIR_JWT_SECRET, standing in for Cognito's.

In AWS the HTTP API's JWT authorizer validates Cognito tokens; here the local gateway validates these.
Either way the handler receives the same verified claims in requestContext.authorizer.jwt.claims.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import jwt

DEFAULT_SECRET = "revenir-local-secret-change-me-0123456789"
ISSUER = "revenir-local"
AUDIENCE = "revenir-api"


def secret() -> str:
    return os.environ.get("REVENIR_JWT_SECRET", DEFAULT_SECRET)


def mint(property_ids: list[str], subject: str = "host@revenir.example", ttl: int = 30 * 86400) -> str:
    """A token like the ones our Cognito pre-token trigger shapes: `property_ids` is a JSON array as a string."""
    now = int(time.time())
    claims = {"sub": subject, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + ttl,
              "property_ids": json.dumps(property_ids), "scope": "revenir/admin"}
    return jwt.encode(claims, secret(), algorithm="HS256")


def verify(authorization: str | None) -> dict[str, Any] | None:
    """The claims of a valid `Bearer <jwt>` header, or None (the gateway then answers 401)."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    token = authorization.removeprefix("Bearer ").strip()
    try:
        return dict(jwt.decode(token, secret(), algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                               options={"require": ["exp", "iss", "aud"]}))
    except jwt.PyJWTError:
        return None


def as_api_gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """HTTP API JWT authorizers pass every claim as a string; arrays become "[a b]"."""
    out = {}
    for key, value in claims.items():
        out[key] = "[" + " ".join(str(v) for v in value) + "]" if isinstance(value, list) else str(value)
    return out


if __name__ == "__main__":
    import sys

    print(mint(sys.argv[1:] or ["demo"]))
