"""The send queue's producer side: message bodies to SQS in SendMessageBatch calls of 10, retrying the entries
SQS reports as failed (the consumers are in functions/mail: one record is one e-mail to send)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

BATCH = 10


class SqsClient(Protocol):
    def send_message_batch(self, **kwargs: Any) -> dict[str, Any]: ...


class SendQueue:
    def __init__(self, client: SqsClient, queue_url: str, sleep: Callable[[float], None] = time.sleep):
        self._client, self._url, self._sleep = client, queue_url, sleep
        self.calls = 0

    def enqueue(self, bodies: Iterable[dict[str, Any]]) -> int:
        """Send every body (JSON); returns how many. Raises when SQS keeps refusing an entry (the caller's
        retry resends the chunk: the consumers' conditional claims make a duplicate harmless)."""
        pending = [json.dumps(b, separators=(",", ":"), sort_keys=True) for b in bodies]
        count = len(pending)
        for start in range(0, len(pending), BATCH):
            entries = {str(i): body for i, body in enumerate(pending[start:start + BATCH])}
            for attempt in range(5):
                self.calls += 1
                response = self._client.send_message_batch(
                    QueueUrl=self._url, Entries=[{"Id": k, "MessageBody": v} for k, v in entries.items()])
                failed = {f["Id"] for f in response.get("Failed", [])}
                entries = {k: v for k, v in entries.items() if k in failed}
                if not entries:
                    break
                self._sleep(0.1 * 2 ** attempt)
            if entries:
                raise RuntimeError(f"SQS refused {len(entries)} message(s) after 5 attempts")
        return count

