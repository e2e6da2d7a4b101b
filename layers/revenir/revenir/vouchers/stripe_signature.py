"""Stripe webhook signatures, verified without importing stripe (the webhook function's cold start).

Stripe signs `"{t}.{raw body}"` with HMAC-SHA256 and the endpoint's secret and sends
`Stripe-Signature: t=…,v1=…[,v1=…]`. Same scheme as `stripe.WebhookSignature.verify_header`. The tolerance
is checked against the real wall clock (Stripe's), never the local runtime's travelling clock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from revenir.core.errors import InvalidInput

TOLERANCE_SECONDS = 300


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for `payload` (tests and local tools sign their own events with it)."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify(payload: bytes, header: str | None, secrets: list[str], now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> dict[str, Any]:
    """The event, if one of `secrets` signed it recently; else 400 `bad_signature` (nothing is stored)."""
    if not header:
        raise InvalidInput("missing Stripe-Signature header", code="bad_signature")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidInput("malformed Stripe-Signature header", code="bad_signature")
    signed = f"{timestamp}.".encode() + payload
    expected = [hmac.new(s.encode(), signed, hashlib.sha256).hexdigest().encode() for s in secrets if s]
    # bytes, not str: compare_digest refuses str with non-ASCII characters (a forged header was a 500)
    given = [s.encode("utf-8", "surrogatepass") for s in signatures]
    if not any(hmac.compare_digest(e, s) for e in expected for s in given):
        raise InvalidInput("the Stripe signature does not match", code="bad_signature")
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise InvalidInput("the Stripe signature is too old", code="bad_signature")
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise InvalidInput("the event is not JSON", code="invalid_event") from exc
    if not isinstance(event, dict) or "type" not in event or "data" not in event:
        raise InvalidInput("not a Stripe event", code="invalid_event")
    return event
