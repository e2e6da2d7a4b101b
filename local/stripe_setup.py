"""localstripe configuration for the local runtime (webhooks to the local gateway)."""

from __future__ import annotations


def configure(stripe_port: int, api_port: int) -> None:
    """Register the webhook endpoint(s) with localstripe so payment events reach /v1/stripe/webhook."""
