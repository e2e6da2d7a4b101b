"""Every error a caller can see: one class per stable error code, mapped to HTTP once (revenir.http.app)."""

from __future__ import annotations

from typing import Any


class RevenirError(Exception):
    """Base of the domain errors. `code` is stable: clients and Step Functions Catch rely on it."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or []


class InvalidInput(RevenirError):
    status = 400
    code = "invalid_request"


class Unauthorized(RevenirError):
    status = 401
    code = "unauthorized"


class Forbidden(RevenirError):
    status = 403
    code = "forbidden"


class NotFound(RevenirError):
    status = 404
    code = "not_found"


class Conflict(RevenirError):
    status = 409
    code = "conflict"


class TooManyRequests(RevenirError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after
