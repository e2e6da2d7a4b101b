"""The local clock: fires template.yaml's schedules (EventBridge Scheduler) as time passes.

moto stores schedules but never fires them. This clock does, on the process clock (revenir.core.clock), which
`POST /_local/clock/advance?seconds=N` (or `make advance SECONDS=N`) moves forward. Fires missed while
time jumps are coalesced into one, as a catch-up.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from local.template import ACCOUNT, REGION, Schedule, Template
from revenir.core import clock

_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def interval(expression: str) -> timedelta:
    found = re.fullmatch(r"rate\((\d+)\s+(\w+)\)", expression.strip())
    if not found:
        raise ValueError(f"the local clock supports rate() schedules only, not {expression!r}")
    return timedelta(seconds=int(found.group(1)) * _UNITS[found.group(2)])


def scheduled_event(schedule: Schedule, now: datetime) -> dict[str, Any]:
    """What EventBridge Scheduler sends a Lambda target when the schedule has no Input."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.scheduler",
            "account": ACCOUNT, "time": clock.iso(now), "region": REGION,
            "resources": [f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/{schedule.name}"], "detail": "{}"}


class LocalClock:
    def __init__(self, template: Template, lambdas: Any, on_fire: Callable[[dict[str, Any]], None] | None = None):
        """`lambdas`: local.workers.WorkerPool or local.lambdas.LocalLambdas (invoke + template)."""
        self.lambdas = lambdas
        self.on_fire = on_fire
        self.schedules = [s for s in template.schedules if s.enabled]
        start = clock.now()
        self.next_fire: dict[str, datetime] = {s.logical_id: start + interval(s.expression)
                                               for s in self.schedules}
        self.fired: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def fire_due(self) -> list[str]:
        """Invoke every schedule whose time has come (once, however many periods passed)."""
        fired = []
        with self._lock:
            now = clock.now()
            for schedule in self.schedules:
                due = self.next_fire[schedule.logical_id]
                if due <= now:
                    self._fire(schedule, now)
                    step = interval(schedule.expression)
                    while due <= now:
                        due += step
                    self.next_fire[schedule.logical_id] = due
                    fired.append(schedule.logical_id)
        return fired

    def _fire(self, schedule: Schedule, now: datetime) -> None:
        payload = json.loads(schedule.input) if schedule.input else scheduled_event(schedule, now)
        if schedule.target_function:
            fn = self.lambdas.template.functions[schedule.target_function]
            try:
                self.lambdas.invoke(fn.name, payload)
                self.fired.append({"schedule": schedule.logical_id, "at": clock.iso(now), "ok": True})
            except Exception as exc:  # in AWS the async invoke would retry, then go to the DLQ
                self.fired.append({"schedule": schedule.logical_id, "at": clock.iso(now), "ok": False,
                                   "error": repr(exc)})
            if self.on_fire is not None:
                last = getattr(self.lambdas, "last_invocation", None)
                self.on_fire({**self.fired[-1], "function": fn.logical_id, "invocation": last() if last else None})

    def advance(self, seconds: float) -> list[str]:
        clock.travel(seconds)
        return self.fire_due()

    def run_forever(self, tick_seconds: float = 1.0) -> None:
        while not self._stop.wait(tick_seconds):
            self.fire_due()

    def start(self) -> None:
        threading.Thread(target=self.run_forever, name="local-clock", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
