"""Lambda's execution model, locally: one process per function instance, one invocation at a time each.

- Each instance is a `python -m local.worker` process that imports the function's handler (module
  `functions.<group>.app`, attribute from the template's Handler) with only that function's environment:
  template Globals + its own Environment, the variables the Lambda runtime sets, the emulator's endpoint and
  the credentials of the function's role (local/iam.py). A variable the template does not give a function is
  missing there, as in AWS.
- Concurrent invocations of one function run in separate instances, started on demand up to the function's
  ReservedConcurrentExecutions (else PER_FUNCTION_CAP), reused when idle, reaped after IDLE_SECONDS; at most
  GLOBAL_CAP instances live at once (an idle instance of another function is stopped to make room).
- The template's Timeout is enforced: the instance is stopped and the invocation fails with `Timeout`
  (the gateway answers 504). Every invocation logs a REPORT line (duration, memory size, max memory used,
  init duration on a cold start) in the function's log, as Lambda does.
- The local clock's offset (revenir.core.clock, moved by POST /_local/clock/advance) travels with each invocation.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import IO, Any

from local.template import ROOT, Function, Template

PER_FUNCTION_CAP = 10
GLOBAL_CAP = 16
IDLE_SECONDS = 300.0
INIT_TIMEOUT = 60.0  # Lambda allows 10 s; a 2-core laptop starting ten instances at once needs more


class FunctionError(Exception):
    """The function failed (its own exception, an init error or a timeout), as Lambda reports it."""

    def __init__(self, error_type: str, message: str):
        super().__init__(f"{error_type}: {message}")
        self.error_type, self.error_message = error_type, message


class Timeout(FunctionError):
    def __init__(self, fn: Function):
        super().__init__("Sandbox.Timedout", f"Task timed out after {fn.timeout:.2f} seconds")


@dataclass
class Invocation:
    """What one invocation cost: what the console line and the REPORT line show."""

    function: str
    request_id: str
    duration_ms: float
    max_memory_mb: float
    memory_size: int
    init_ms: float | None
    ok: bool
    error: str | None = None

    def report_line(self) -> str:
        billed = max(1, math.ceil(self.duration_ms))
        line = (f"REPORT RequestId: {self.request_id}\tDuration: {self.duration_ms:.2f} ms\t"
                f"Billed Duration: {billed} ms\tMemory Size: {self.memory_size} MB\t"
                f"Max Memory Used: {math.ceil(self.max_memory_mb)} MB")
        if self.init_ms is not None:
            line += f"\tInit Duration: {self.init_ms:.2f} ms"
        return line


@dataclass(eq=False)
class _Instance:
    fn: Function
    process: subprocess.Popen[bytes]
    conn: Connection
    init_ms: float | None
    last_used: float = field(default_factory=time.monotonic)
    invocations: int = 0

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


def _peak_mb(pid: int) -> float:
    """An instance's peak resident memory, read from outside (an invocation that never answered)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def runtime_environment(fn: Function, region: str) -> dict[str, str]:
    """What the Lambda runtime itself sets in every sandbox (reserved variables)."""
    return {
        "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": fn.name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.name}", "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "_HANDLER": fn.handler, "LAMBDA_TASK_ROOT": str(ROOT),
        "TZ": ":UTC", "LANG": "en_US.UTF-8", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
    }


class WorkerPool:
    """`invoke(name, event)` as LocalLambdas offers it, each invocation in an instance of its own function."""

    def __init__(self, template: Template, environment: Callable[[Function], dict[str, str]],
                 log: IO[str] | None = None, on_invocation: Callable[[Invocation], None] | None = None,
                 clock_offset: Callable[[], float] = lambda: 0.0, per_function_cap: int = PER_FUNCTION_CAP,
                 global_cap: int = GLOBAL_CAP, idle_seconds: float = IDLE_SECONDS):
        self.template = template
        self.environment = environment
        self.log = log
        self.on_invocation = on_invocation
        self.clock_offset = clock_offset
        self.per_function_cap, self.global_cap, self.idle_seconds = per_function_cap, global_cap, idle_seconds
        self._idle: dict[str, list[_Instance]] = {}
        self._busy: dict[str, int] = {}
        self._starting = 0
        self._cond = threading.Condition()
        self._closed = False
        self._all: set[_Instance] = set()
        self._thread = threading.local()
        self._reaper = threading.Thread(target=self._reap_forever, name="lambda-reaper", daemon=True)
        self._reaper.start()

    # ------------------------------------------------------------------ accounting
    def _total(self) -> int:
        return sum(len(v) for v in self._idle.values()) + sum(self._busy.values()) + self._starting

    def cap(self, fn: Function) -> int:
        return max(1, min(fn.reserved_concurrency or self.per_function_cap, self.global_cap))

    def stats(self) -> dict[str, dict[str, int]]:
        with self._cond:
            names = set(self._idle) | set(self._busy)
            return {n: {"idle": len(self._idle.get(n, [])), "busy": self._busy.get(n, 0)} for n in sorted(names)}

    # ------------------------------------------------------------------ instances
    def _start(self, fn: Function) -> _Instance:
        parent, child = socket.socketpair()
        env = self.environment(fn)
        out: Any = self.log if self.log is not None else None
        started = time.perf_counter()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "local.worker", str(child.fileno()), fn.module, fn.attribute],
                cwd=ROOT, env=env, pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT if out is not None else None,
                start_new_session=False)
        finally:
            child.close()
        conn = Connection(parent.detach())
        instance = _Instance(fn, process, conn, None)
        if not conn.poll(INIT_TIMEOUT):
            instance.stop()
            raise FunctionError("Runtime.InitTimeout", f"{fn.logical_id} did not initialise in {INIT_TIMEOUT:.0f} s")
        try:
            ready = json.loads(conn.recv_bytes())
        except (EOFError, OSError) as exc:
            instance.stop()
            raise FunctionError("Runtime.ExitError", f"{fn.logical_id} exited during init") from exc
        if not ready.get("ready"):
            instance.stop()
            error = ready.get("error") or {}
            raise FunctionError(f"Runtime.ImportModuleError: {error.get('errorType', 'Error')}",
                                str(error.get("errorMessage", "")))
        instance.init_ms = float(ready.get("init_ms") or (time.perf_counter() - started) * 1000)
        with self._cond:
            self._all.add(instance)
        return instance

    def _acquire(self, fn: Function) -> _Instance | None:
        """An idle instance of fn, or None when the caller must start one (a slot is reserved for it)."""
        with self._cond:
            while True:
                if self._closed:
                    raise FunctionError("Runtime.Shutdown", "the local runtime is stopping")
                idle = self._idle.get(fn.logical_id)
                while idle:
                    instance = idle.pop()
                    if instance.alive():
                        self._busy[fn.logical_id] = self._busy.get(fn.logical_id, 0) + 1
                        return instance
                    instance.stop()
                mine = self._busy.get(fn.logical_id, 0)
                if mine < self.cap(fn):
                    if self._total() >= self.global_cap:
                        victim = self._oldest_idle()
                        if victim is not None:
                            victim.stop()
                    if self._total() < self.global_cap:
                        self._busy[fn.logical_id] = mine + 1
                        return None
                self._cond.wait(0.5)

    def _oldest_idle(self) -> _Instance | None:
        candidates = [(i.last_used, name, i) for name, items in self._idle.items() for i in items]
        if not candidates:
            return None
        _, name, instance = min(candidates, key=lambda c: c[0])
        self._idle[name].remove(instance)
        return instance

    def _release(self, fn: Function, instance: _Instance | None) -> None:
        with self._cond:
            self._busy[fn.logical_id] -= 1
            if instance is not None and instance.alive() and not self._closed:
                instance.last_used = time.monotonic()
                self._idle.setdefault(fn.logical_id, []).append(instance)
            elif instance is not None:
                instance.stop()
            self._cond.notify_all()

    def _reap_forever(self) -> None:
        while True:
            time.sleep(min(30.0, self.idle_seconds / 2))
            if self._closed:
                return
            now = time.monotonic()
            with self._cond:
                expired = [i for items in self._idle.values() for i in items if now - i.last_used > self.idle_seconds]
                for name, items in self._idle.items():
                    self._idle[name] = [i for i in items if i not in expired]
            for instance in expired:
                instance.stop()

    # ------------------------------------------------------------------ invoke
    def invoke(self, name: str, event: Any) -> Any:
        fn = self.template.function_by_name(name)
        request_id = str(uuid.uuid4())
        instance = self._acquire(fn)
        cold = instance is None
        try:
            if instance is None:
                instance = self._start(fn)
        except BaseException:
            self._release(fn, None)
            raise
        message = {"event": event, "clock_offset": self.clock_offset(), "context": {
            "function_name": fn.name, "invoked_function_arn": fn.arn, "memory_limit_in_mb": fn.memory_size,
            "aws_request_id": request_id, "log_group_name": f"/aws/lambda/{fn.name}", "timeout": fn.timeout}}
        started = time.perf_counter()
        answer: dict[str, Any] | None = None
        try:
            instance.conn.send_bytes(json.dumps(message, default=str).encode())
            if instance.conn.poll(fn.timeout):
                answer = json.loads(instance.conn.recv_bytes())
        except (EOFError, OSError):
            answer = {"ok": False, "error": {"errorType": "Runtime.ExitError",
                                             "errorMessage": "the instance exited during the invocation"}}
        duration = (time.perf_counter() - started) * 1000
        max_memory = float((answer or {}).get("max_rss_mb") or _peak_mb(instance.process.pid))
        if answer is None:  # Lambda stops the sandbox at the deadline
            instance.stop()
        report = Invocation(fn.logical_id, request_id, duration, max_memory, fn.memory_size,
                            instance.init_ms if cold else None, bool(answer and answer.get("ok")))
        if answer is not None and not answer.get("ok"):
            error = answer.get("error") or {}
            report.error = f"{error.get('errorType')}: {error.get('errorMessage')}"
            if error.get("errorType") == "Runtime.ExitError":
                instance.stop()
        elif answer is None:
            report.error = f"Task timed out after {fn.timeout:.2f} seconds"
        self._log(report)
        self._release(fn, instance)
        if answer is None:
            raise Timeout(fn)
        if not answer.get("ok"):
            error = answer.get("error") or {}
            raise FunctionError(str(error.get("errorType", "Error")), str(error.get("errorMessage", "")))
        return answer.get("result")

    def forget_last(self) -> None:
        self._thread.last = None

    def last_invocation(self) -> Invocation | None:
        """The last invocation this thread made (the gateway's console line)."""
        return getattr(self._thread, "last", None)

    def _log(self, report: Invocation) -> None:
        self._thread.last = report
        if self.log is not None:
            try:
                if report.error and report.error.startswith("Task timed out"):
                    self.log.write(f"{report.request_id} {report.error}\n")
                self.log.write(report.report_line() + "\n")
                self.log.flush()
            except ValueError:  # log closed while stopping
                pass
        if self.on_invocation is not None:
            self.on_invocation(report)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            instances = list(self._all)
            self._idle.clear()
            self._cond.notify_all()
        for instance in instances:
            instance.stop()
