"""The demo property's gift vouchers and gift cards (filled in by the vouchers work)."""

from __future__ import annotations

from typing import Any


def seed(client: Any, headers: dict[str, str]) -> None:
    """Create the demo gift catalog through the real API (`client` is a werkzeug test client)."""
