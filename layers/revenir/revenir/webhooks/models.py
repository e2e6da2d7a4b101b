"""Webhook endpoints (a booking engine's HTTPS URL subscribed to event types) and their deliveries."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from revenir.events.models import EVENT_TYPES

DeliveryStatus = Literal["pending", "retrying", "delivered", "dead"]
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def private_address(host: str) -> bool:
    """Loopback, private, link-local, reserved, multicast or unspecified: never a webhook target in production."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified)


def check_url(url: str, local_hosts: frozenset[str] = frozenset()) -> str:
    """An endpoint URL: https, a host that is not a private or loopback address (the configured local hosts
    excepted: tests and the local runtime), no credentials. Returns the reason it is refused, or ""."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        _ = parts.port
    except ValueError:
        return "not a valid URL"
    if not host:
        return "the URL has no host"
    if parts.username or parts.password:
        return "the URL must not carry credentials"
    if host in local_hosts:
        return "" if parts.scheme in ("https", "http") else "the URL must use https"
    if parts.scheme != "https":
        return "the URL must use https"
    if host == "localhost" or host.endswith(_PRIVATE_SUFFIXES) or ("." not in host.strip("[]") and ":" not in host):
        return "the URL's host is not public"
    if private_address(host):
        return "the URL points to a private or loopback address"
    return ""


def known_types(value: list[str]) -> list[str]:
    unknown = sorted(set(value) - set(EVENT_TYPES))
    if unknown:
        raise ValueError(f"unknown event types: {', '.join(unknown)}")
    return sorted(set(value))


class EndpointInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    url: str = Field(min_length=8, max_length=2048, description="An https URL on a public host")
    event_types: list[str] = Field(min_length=1, max_length=len(EVENT_TYPES),
                                   description="Event types this endpoint receives (see the webhooks section)")
    description: str | None = Field(default=None, max_length=200)

    @field_validator("event_types")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        return known_types(value)


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    event_types: list[str] | None = Field(default=None, min_length=1, max_length=len(EVENT_TYPES))
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None

    @field_validator("event_types")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else known_types(value)


class Endpoint(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    url: str
    event_types: list[str]
    description: str | None = None
    enabled: bool
    created_at: str
    updated_at: str
    previous_secret_until: str | None = Field(
        default=None, description="After a rotation: until then, every request is also signed with the previous "
                                  "secret (a second signature in webhook-signature)")


class EndpointCreated(Endpoint):
    secret: str = Field(description="The signing secret (whsec_...): shown once, keep it")


class Attempt(BaseModel):
    model_config = ConfigDict(extra="ignore")
    at: str
    status_code: int | None = None
    latency_ms: int
    error: str | None = None


class Delivery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(description="The event id: the webhook-id header, the same on every attempt")
    endpoint_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    created_at: str
    last_attempt_at: str | None = None
    last_status_code: int | None = None
    last_latency_ms: int | None = None
    last_error: str | None = None
    delivered_at: str | None = None
    next_attempt_at: str | None = None
    log: list[Attempt] = Field(default_factory=list, description="The last attempts, oldest first")
    erased_at: str | None = Field(default=None, description="When the event left this record with the guest's "
                                                            "data (GDPR erasure): it is never sent again")


__all__ = ["Attempt", "Delivery", "Endpoint", "EndpointCreated", "EndpointInput", "EndpointUpdate", "check_url",
           "private_address"]
