"""Cold start of each Lambda handler module, as a ratio to a fair baseline's, measured in one run.

A cold start is a fresh interpreter that imports the handler module (for our handlers, import *is* the
init) and then creates its first DynamoDB client (what its first request pays: the service model), the way
its stack does: boto3's default session if the import loaded boto3, else a bare botocore session. Each
child times both with time.perf_counter (the primary figure) and reports which heavy libraries ended up in
sys.modules; the parent also times the whole subprocess (interpreter start included). Modules run
round-robin, so the machine's noise spreads evenly over them, and each figure is a median.

The goal is read against the fair baseline (Powertools HTTP resolver with validation, Logger, Metrics,
boto3 and one DynamoDB client); the bare Powertools handler's ratio stays as a second column.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from local.template import REGION, load

ROOT = Path(__file__).resolve().parent.parent
BASELINE_MODULE = "bench.baseline_handler"
FAIR_BASELINE_MODULE = "bench.baseline_fair_handler"
GOAL_RATIO = 1.1
DEFAULT_RUNS = 7
HEAVY = ("stripe", "jinja2", "boto3", "pydantic", "aws_xray_sdk")
_MARKER = "BENCH_COLD_START "
_TIMEOUT_S = 120

# The child: everything but the handler's import happens before the clock starts.
_CHILD = f"""
import importlib, json, sys, time
module, attribute = sys.argv[1], sys.argv[2]
start = time.perf_counter()
handler = getattr(importlib.import_module(module), attribute)
if "boto3" in sys.modules:
    sys.modules["boto3"].client("dynamodb")
elif "botocore" in sys.modules:
    import botocore.session
    botocore.session.get_session().create_client("dynamodb")
import_ms = (time.perf_counter() - start) * 1000
assert callable(handler), attribute
heavy = [name for name in {HEAVY!r} if name in sys.modules]
print({_MARKER!r} + json.dumps({{"import_ms": import_ms, "heavy": heavy}}), flush=True)
"""

# Fake credentials and a region, as the tests use: nothing here may reach AWS.
_AWS_ENV = {
    "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
}


@dataclass(frozen=True)
class Target:
    """One handler module to cold-start, with the environment its Lambda function would have."""

    module: str
    attribute: str = "lambda_handler"
    environment: dict[str, str] = field(default_factory=dict)
    functions: tuple[str, ...] = ()  # template logical ids that use this module


@dataclass
class Result:
    target: Target
    import_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    heavy: tuple[str, ...] = ()
    error: str | None = None

    @property
    def median_import_ms(self) -> float:
        return statistics.median(self.import_ms)

    @property
    def median_wall_ms(self) -> float:
        return statistics.median(self.wall_ms)


class ColdStartError(RuntimeError):
    pass


def baseline() -> Target:
    return Target(BASELINE_MODULE)


def fair_baseline() -> Target:
    return Target(FAIR_BASELINE_MODULE)


def handler_targets() -> list[Target]:
    """Every handler module in template.yaml, once each, with its function's environment."""
    targets: dict[str, Target] = {}
    for fn in load().functions.values():
        known = targets.get(fn.module)
        if known is None:
            targets[fn.module] = Target(fn.module, fn.attribute, dict(fn.environment), (fn.logical_id,))
        else:
            env = {**known.environment, **fn.environment}
            targets[fn.module] = Target(fn.module, known.attribute, env, (*known.functions, fn.logical_id))
    return list(targets.values())


def child_environment(target: Target) -> dict[str, str]:
    """This process's environment without AWS or Powertools settings, plus the function's own and fakes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    env.pop("PYTHONPATH", None)  # cwd (the repository root) is on sys.path, as the handlers expect
    env.update(_AWS_ENV)
    env.update(target.environment)
    return env


def measure_once(target: Target) -> tuple[float, float, tuple[str, ...]]:
    """Cold-start `target` in a fresh interpreter: (in-child import ms, subprocess wall ms, heavy modules)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, target.module, target.attribute],
        cwd=ROOT, env=child_environment(target), capture_output=True, text=True, timeout=_TIMEOUT_S,
        check=False,
    )
    wall_ms = (time.perf_counter() - start) * 1000
    lines = [line for line in proc.stdout.splitlines() if line.startswith(_MARKER)]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ColdStartError(f"{target.module} failed to import (exit {proc.returncode}): {tail}")
    data = json.loads(lines[-1][len(_MARKER):])
    return float(data["import_ms"]), wall_ms, tuple(data["heavy"])


def measure(targets: Sequence[Target], runs: int, warmup: bool = True) -> list[Result]:
    """`runs` cold starts of each target, round-robin (the starting module rotates each round).

    The warm-up round is not counted: it leaves .pyc files behind, as a deployed package has them.
    """
    results = [Result(t) for t in targets]
    if warmup:
        for result in results:
            try:
                measure_once(result.target)
            except ColdStartError as exc:
                result.error = str(exc)
    for round_ in range(runs):
        shift = round_ % len(results) if results else 0
        for result in results[shift:] + results[:shift]:
            if result.error:
                continue
            try:
                import_ms, wall_ms, heavy = measure_once(result.target)
            except ColdStartError as exc:
                result.error = str(exc)
                continue
            result.import_ms.append(import_ms)
            result.wall_ms.append(wall_ms)
            result.heavy = tuple(sorted(set(result.heavy) | set(heavy), key=HEAVY.index))
    return results


def ratio(result: Result, base: Result) -> float:
    return result.median_import_ms / base.median_import_ms


def runs_from_env() -> int:
    raw = os.environ.get("BENCH_RUNS", str(DEFAULT_RUNS))
    try:
        runs = int(raw)
    except ValueError:
        raise SystemExit(f"BENCH_RUNS must be a positive integer, got {raw!r}") from None
    if runs < 1:
        raise SystemExit(f"BENCH_RUNS must be a positive integer, got {raw!r}")
    return runs


def report(results: Sequence[Result], runs: int) -> list[str]:
    """The table, then one GOAL MISSED line per handler over the goal (or that failed to import)."""
    base, fair, handlers = results[0], results[1], results[2:]
    lines = [
        f"Cold start: import + first DynamoDB client in the child, median of {runs} fresh interpreters per module,"
        " round-robin.",
        "  vs fair    = to Powertools HTTP resolver with validation + Logger + Metrics + boto3 + one DynamoDB",
        f"               client (its client counted like each handler's); the goal (<= {GOAL_RATIO}x) is read here",
        "  vs bare    = to the bare Powertools handler (Logger, Metrics, HTTP resolver; no boto3, no validation)",
    ]
    header = ("module", "init ms", "vs fair", "vs bare", "goal", "wall ms", "wall ratio", "heavy imports")
    rows: list[tuple[str, ...]] = []
    missed: list[str] = []
    if base.error:
        lines.append(f"BASELINE FAILED: {base.error}")
        return lines
    for result in results:
        heavy = ", ".join(result.heavy) or "-"
        name = result.target.module + (" (bare)" if result is base else " (fair)" if result is fair else "")
        if result.error:
            rows.append((name, "-", "-", "-", "GOAL MISSED", "-", "-", "import failed"))
            missed.append(f"GOAL MISSED: {result.target.module}: {result.error}")
            continue
        r_bare = ratio(result, base)
        r_fair = ratio(result, fair)
        wall_r = result.median_wall_ms / fair.median_wall_ms
        met = r_fair <= GOAL_RATIO
        goal = "baseline" if result in (base, fair) else ("ok" if met else "GOAL MISSED")
        rows.append((name, f"{result.median_import_ms:.0f}", f"{r_fair:.2f}", f"{r_bare:.2f}", goal,
                     f"{result.median_wall_ms:.0f}", f"{wall_r:.2f}", heavy))
        if result in handlers and not met:
            missed.append(f"GOAL MISSED: {result.target.module} cold start is {r_fair:.2f}x the fair baseline's "
                          f"(goal <= {GOAL_RATIO}x); heavy imports: {heavy}")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    numeric = {1, 2, 3, 5, 6}

    def fmt(row: tuple[str, ...]) -> str:
        cells = [c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    lines += [fmt(header), fmt(tuple("-" * w for w in widths)), *(fmt(row) for row in rows)]
    lines += missed
    return lines


def run() -> None:
    runs = runs_from_env()
    results = measure([baseline(), fair_baseline(), *handler_targets()], runs)
    print("\n".join(report(results, runs)))
