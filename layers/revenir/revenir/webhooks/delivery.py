"""Delivering events to the property's endpoints: signed per the Standard Webhooks specification
(webhook-id, webhook-timestamp, webhook-signature, with the `standardwebhooks` package), at least once.

One queue message is one event (from the EventBridge rule) or one replay. Every subscribed, enabled endpoint
of the event's property — read from that property's partition only — gets a delivery record (created once);
an endpoint already delivered is skipped, so a retried message never repeats a success. A failed attempt
is logged (status code, latency, error); the message comes back after an exponential backoff (the handler
changes its visibility) until an endpoint's attempts reach the limit: then that delivery is dead, and only a
replay from the admin API sends it again.
"""

from __future__ import annotations

import http.client
import logging
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from standardwebhooks import Webhook

from revenir.core import clock
from revenir.events.models import Event
from revenir.webhooks.models import check_url, private_address
from revenir.webhooks.store import WebhookRepository

logger = logging.getLogger(__name__)
USER_AGENT = "Revenir-Webhooks/1"


@dataclass
class Response:
    status_code: int | None
    error: str | None = None


class Poster(Protocol):
    def __call__(self, url: str, body: bytes, headers: dict[str, str], timeout: float,
                 address: str | None = None) -> Response: ...


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float,
              address: str | None = None) -> Response:
    """POST to `url`, connecting to `address` when given: the address that was checked, so a name re-pointed
    at an internal host between the check and the connection (DNS rebinding) is never reached. TLS still
    verifies the certificate against the URL's host name (SNI). A redirect is an answer, never followed."""
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname or "", parts.port, timeout=timeout)
    if address is not None:
        def pinned(target: tuple[str, int], timeout: float | None = None, source: Any = None) -> socket.socket:
            return socket.create_connection((address, target[1]), timeout, source)
        connection._create_connection = pinned  # type: ignore[attr-defined] # http.client's seam
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(1024)
        return Response(response.status)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Response(None, str(exc)[:300] or type(exc).__name__)
    finally:
        connection.close()


def resolve(url: str) -> list[str]:
    """The addresses the URL's host resolves to now (OSError when it does not)."""
    infos = socket.getaddrinfo(urlsplit(url).hostname or "", None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def sign(secret: str | list[str], message_id: str, body: str, at: datetime | None = None) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: one signature per secret, space-separated (during a
    rotation, the new secret's and the previous one's: a receiver with either verifies)."""
    at = at or datetime.now(UTC)
    keys = [secret] if isinstance(secret, str) else secret
    return {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": " ".join(Webhook(k).sign(message_id, at, body) for k in keys)}


def signing_secrets(endpoint: dict[str, Any], now: datetime) -> list[str]:
    """The endpoint's secret, and the previous one while its rotation overlap lasts."""
    previous, until = endpoint.get("previous_secret"), endpoint.get("previous_secret_until")
    return [endpoint["secret"], *([previous] if previous and until and clock.iso(now) < str(until) else [])]


def backoff(attempts: int, base: float, cap: float = 6 * 3600) -> int:
    """Seconds before the next attempt: base, 2x, 4x... capped (SQS visibility allows up to 12 hours)."""
    return int(min(cap, base * 2 ** max(0, attempts - 1)))


class Deliverer:
    def __init__(self, repository: WebhookRepository, post: Poster = http_post, *, max_attempts: int = 8,
                 backoff_base: float = 30.0, timeout: float = 5.0, local_hosts: frozenset[str] = frozenset()):
        self.repository = repository
        self.post = post
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.timeout = timeout
        self.local_hosts = local_hosts

    def handle(self, message: dict[str, Any]) -> int | None:
        """One queue message. Returns None when it is done, else the seconds before it should come back."""
        if "replay" in message:
            replay = message["replay"]
            delivery = self.repository.delivery(replay["property_id"], replay["endpoint_id"], replay["delivery_id"])
            endpoint = self.repository.endpoint(replay["property_id"], replay["endpoint_id"])
            return self._attempt(endpoint, delivery)
        event = Event.model_validate(message.get("detail", message))
        waits = []
        for endpoint in self.repository.endpoints(event.property_id):
            if not endpoint.get("enabled") or event.type not in endpoint.get("event_types", []):
                continue
            delivery = self.repository.start_delivery(endpoint["id"], event, clock.now())
            wait = self._attempt(endpoint, delivery)
            if wait is not None:
                waits.append(wait)
        return min(waits) if waits else None

    def _target(self, url: str) -> tuple[str, str | None]:
        """(why the URL is refused, or "") and the address to connect to: resolved once, checked, then pinned."""
        reason = check_url(url, self.local_hosts)
        if reason:
            return reason, None
        try:
            addresses = resolve(url)
        except OSError as exc:
            return f"the URL's host does not resolve: {exc}"[:300], None
        if not addresses:
            return "the URL's host does not resolve", None
        if (urlsplit(url).hostname or "") not in self.local_hosts and any(private_address(a) for a in addresses):
            return "the URL's host resolves to a private address", None
        return "", addresses[0]

    def _attempt(self, endpoint: dict[str, Any], delivery: dict[str, Any]) -> int | None:
        if delivery["status"] in ("delivered", "dead") or not endpoint.get("enabled"):
            return None
        if "event" not in delivery:  # erased with the guest's data (GDPR): never sent again
            return None
        body = delivery["event"]
        headers = {"content-type": "application/json", "user-agent": USER_AGENT,
                   **sign(signing_secrets(endpoint, clock.now()), delivery["id"], body)}
        started = time.monotonic()
        reason, address = self._target(endpoint["url"])
        response = Response(None, reason) if reason else self.post(endpoint["url"], body.encode(), headers,
                                                                   self.timeout, address)
        latency = int((time.monotonic() - started) * 1000)
        ok = response.status_code is not None and 200 <= response.status_code < 300
        now = clock.now()
        attempt = {"at": clock.iso(now), "status_code": response.status_code, "latency_ms": latency,
                   "error": None if ok else (response.error or f"HTTP {response.status_code}")}
        attempts = int(delivery.get("attempts", 0)) + 1
        if ok:
            self.repository.record_attempt(delivery, attempt, "delivered", None)
            return None
        if attempts >= self.max_attempts:
            self.repository.record_attempt(delivery, attempt, "dead", None)
            logger.warning("webhook delivery %s to %s is dead after %d attempts", delivery["id"], endpoint["id"],
                           attempts)
            return None
        wait = backoff(attempts, self.backoff_base)
        self.repository.record_attempt(delivery, attempt, "retrying", clock.iso(now + timedelta(seconds=wait)))
        return wait



__all__ = ["Deliverer", "Response", "backoff", "http_post", "resolve", "sign"]
