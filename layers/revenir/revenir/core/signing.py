"""Signed links (unsubscribe, review): HMAC-SHA256 with the stack's signing secret, so nobody can unsubscribe
someone else or review a stay that was not theirs."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode


class Signer:
    def __init__(self, secret: str):
        if len(secret) < 16:
            raise ValueError("the signing secret is too short")
        self._key = secret.encode()

    def sign(self, purpose: str, *parts: str) -> str:
        # surrogatepass: a part read from a query string may hold a lone surrogate; it must not be a 500
        message = "|".join((purpose, *parts)).encode("utf-8", "surrogatepass")
        digest = hmac.new(self._key, message, hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def verify(self, token: str, purpose: str, *parts: str) -> bool:
        # bytes, not str: compare_digest refuses str with non-ASCII characters (a 500 on a forged link)
        given = (token or "").encode("utf-8", "surrogatepass")
        return hmac.compare_digest(self.sign(purpose, *parts).encode(), given)


def encode_email(email: str) -> str:
    return base64.urlsafe_b64encode(email.encode()).decode().rstrip("=")


def decode_email(value: str) -> str:
    padded = value + "=" * (-len(value) % 4)
    return base64.urlsafe_b64decode(padded.encode()).decode()


def unsubscribe_url(signer: Signer, base_url: str, property_id: str, email: str, lang: str | None = None) -> str:
    """The signed unsubscribe link; `lang` (not signed: it only picks the page's language) when known."""
    query = urlencode({"g": encode_email(email), "t": signer.sign("unsubscribe", property_id, email),
                       **({"lang": lang} if lang else {})})
    return f"{base_url.rstrip('/')}/v1/properties/{property_id}/unsubscribe?{query}"


def review_url(signer: Signer, base_url: str, property_id: str, booking_id: str, lang: str | None = None) -> str:
    """The signed review-form link; `lang` (not signed: it only picks the form's language) when known."""
    query = urlencode({"b": booking_id, "t": signer.sign("review", property_id, booking_id),
                       **({"lang": lang} if lang else {})})
    return f"{base_url.rstrip('/')}/v1/properties/{property_id}/reviews/form?{query}"
