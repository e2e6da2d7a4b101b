"""Sending at the SES account's rate: the rate read from SES (GetAccount SendQuota.MaxSendRate, cached), each
of the N concurrent consumers paced at rate / N by its own token bucket (no shared counter, so no hot key), and
a throttled send slowing its consumer down for a while (no retry storm). docs/campaigns.md, "Pacing".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from revenir.mail.sender import Mailer, SendError

#: SES's default sandbox rate: what we assume when GetAccount cannot be read (never faster than allowed).
FALLBACK_RATE = 1.0
#: After a throttled send, the consumer sends at this fraction of its share for COOL_OFF seconds.
SLOW_DOWN = 0.5
COOL_OFF = 10.0


class AccountClient(Protocol):
    def get_account(self) -> dict[str, Any]: ...


class SendRate:
    """The account's maximum send rate (messages per second), read from SES at most every `max_age` seconds."""

    def __init__(self, client: AccountClient, max_age: float = 300.0,
                 clock: Callable[[], float] = time.monotonic):
        self._client, self._max_age, self._clock = client, max_age, clock
        self._value: float | None = None
        self._read_at = 0.0
        self.reads = 0

    def __call__(self) -> float:
        now = self._clock()
        if self._value is None or now - self._read_at >= self._max_age:
            try:
                self.reads += 1
                quota = self._client.get_account().get("SendQuota") or {}
                self._value = max(float(quota.get("MaxSendRate") or FALLBACK_RATE), 0.1)
            except Exception:  # SES unreachable: keep the last known rate, else the safest one
                self._value = self._value or FALLBACK_RATE
            self._read_at = now
        return self._value


class Pacer:
    """A token bucket sending at `share` x the account rate (share = 1 / MaximumConcurrency): N consumers,
    each at rate / N, never exceed the rate together. Burst capacity is one second of the consumer's rate."""

    def __init__(self, rate: Callable[[], float], share: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self._rate, self._share, self._clock, self._sleep = rate, share, clock, sleep
        self._lock = threading.Lock()
        self._tokens = 0.0
        self._last: float | None = None
        self._slow_until = 0.0
        self.waited = 0.0

    def per_second(self) -> float:
        rate = self._rate() * self._share
        return rate * SLOW_DOWN if self._clock() < self._slow_until else rate

    def acquire(self) -> None:
        """Wait until one send is allowed."""
        while True:
            with self._lock:
                now = self._clock()
                rate = self.per_second()
                if self._last is None:
                    self._last, self._tokens = now, 1.0
                self._tokens = min(max(rate, 1.0), self._tokens + (now - self._last) * rate)
                self._last = now
                if self._tokens >= 1.0 - 1e-9:  # (float rounding: a wait of exactly the deficit must do)
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return
                wait = (1.0 - self._tokens) / rate
            self.waited += wait
            self._sleep(wait)

    def throttled(self) -> None:
        """SES said Throttling: this consumer slows down for COOL_OFF seconds and its bucket empties."""
        with self._lock:
            self._slow_until = self._clock() + COOL_OFF
            self._tokens = 0.0


class PacedMailer:
    """A Mailer that waits for its pacer before each send and tells it about throttling."""

    def __init__(self, inner: Mailer, pacer: Pacer):
        self.inner, self.pacer = inner, pacer

    def send(self, sender: str, recipient: str, raw: bytes, tags: dict[str, str] | None = None) -> str:
        self.pacer.acquire()
        try:
            return self.inner.send(sender, recipient, raw, tags)
        except SendError as exc:
            if exc.code in THROTTLING:
                self.pacer.throttled()
            raise


THROTTLING = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException", "LimitExceededException"})
