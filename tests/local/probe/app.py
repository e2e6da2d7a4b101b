"""A probe function for the local runtime's tests (added to a copy of template.yaml, never deployed).

GET /v1/_probe?sleep=S answers what the instance sees: its process, its environment's names, the local clock,
and how many invocations ran at once in this module (Lambda: never more than one).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

_lock = threading.Lock()
_in_flight = 0
_most_at_once = 0
_invocations = 0


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _in_flight, _most_at_once, _invocations
    with _lock:
        _in_flight += 1
        _invocations += 1
        _most_at_once = max(_most_at_once, _in_flight)
    try:
        time.sleep(float((event.get("queryStringParameters") or {}).get("sleep", 0)))
        from revenir.core import clock

        body = {"pid": os.getpid(), "env": sorted(os.environ), "now": clock.iso(clock.now()),
                "most_at_once": _most_at_once, "invocations": _invocations,
                "remaining_ms": context.get_remaining_time_in_millis()}
    finally:
        with _lock:
            _in_flight -= 1
    import json

    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
