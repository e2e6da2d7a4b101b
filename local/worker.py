"""One Lambda instance: a process that imports one function's handler and runs one invocation at a time.

    python -m local.worker FD MODULE ATTRIBUTE

Started by local/workers.py with exactly the function's environment (template Globals + its own, plus the
runtime variables Lambda sets and the emulator's endpoint and the function role's credentials). It talks to its
parent over the socket FD (multiprocessing's framing): it sends {"ready": ...} after the init phase (the module
import), then answers each {"event", "context", "clock_offset"} with {"ok", "result" | "error", "max_rss_mb"}.
Its own stdout/stderr are the function's log (Powertools' JSON lines), as in CloudWatch.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any


@dataclass
class LambdaContext:
    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = ""
    log_group_name: str = ""
    log_stream_name: str = "local"
    deadline: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def max_rss_mb() -> float:
    """Peak resident memory of this instance (VmHWM: getrusage's maxrss would count the parent before exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _set_clock(offset_seconds: float) -> None:
    """The local clock (POST /_local/clock/advance) lives in the parent: each invocation brings its offset."""
    if "revenir.core.clock" not in sys.modules and not offset_seconds:
        return
    from datetime import timedelta

    from revenir.core import clock

    clock._offset = timedelta(seconds=offset_seconds)


def main() -> None:
    import signal
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the runtime: it stops its instances in order
    fd, module_name, attribute = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    conn = Connection(fd)
    started = time.perf_counter()
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except BaseException as exc:  # an init error: Lambda reports it on the invocation
        traceback.print_exc()
        conn.send_bytes(json.dumps({"ready": False, "error": {
            "errorType": type(exc).__name__, "errorMessage": str(exc)}}).encode())
        return
    conn.send_bytes(json.dumps({"ready": True, "init_ms": (time.perf_counter() - started) * 1000,
                                "max_rss_mb": max_rss_mb()}).encode())
    while True:
        try:
            message = json.loads(conn.recv_bytes())
        except EOFError:
            return
        _set_clock(float(message.get("clock_offset") or 0))
        ctx = dict(message["context"])
        timeout = float(ctx.pop("timeout", 3))
        context = LambdaContext(**ctx, deadline=time.monotonic() + timeout)
        try:
            result = handler(message["event"], context)
            answer: dict[str, Any] = {"ok": True, "result": result}
        except Exception as exc:  # the function's error, as Lambda reports it
            traceback.print_exc()
            answer = {"ok": False, "error": {"errorType": type(exc).__name__, "errorMessage": str(exc)}}
        sys.stdout.flush()
        sys.stderr.flush()
        answer["max_rss_mb"] = max_rss_mb()
        conn.send_bytes(json.dumps(answer, default=str).encode())


if __name__ == "__main__":
    main()
