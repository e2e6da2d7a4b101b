"""The guessing guard: unknown-code attempts are limited per client and per property.

A client past its limit gets 429 for every code, real ones too, so the limit cannot be probed. When a
whole property is under attack (many clients), clients that already failed are refused while guests
with no failed attempt keep validating real codes at full speed. Counters live in fixed windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class GuardPolicy:
    max_attempts_per_client: int = 20
    max_attempts_per_property: int = 20
    window_seconds: int = 600

    def window_start(self, now: datetime) -> int:
        epoch = int(now.timestamp())
        return epoch - epoch % self.window_seconds

    def retry_after(self, now: datetime) -> int:
        return max(1, self.window_start(now) + self.window_seconds - int(now.timestamp()))

    def is_blocked(self, client_failures: int, property_failures: int) -> bool:
        if client_failures >= self.max_attempts_per_client:
            return True
        return property_failures >= self.max_attempts_per_property and client_failures > 0
