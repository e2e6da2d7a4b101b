"""`make run` as a well-behaved server: data kept across restarts (FRESH=1 starts over), a clear error when a
port is taken, nothing left behind on Ctrl-C, readable output by default and JSON on request."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Launched, free_port, launch


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purpose
        return "State:\tZ" not in open(f"/proc/{pid}/status", encoding="ascii").read()
    except OSError:
        return False


def create_code(launched: Launched, code: str) -> None:
    runtime = launched.runtime
    assert runtime is not None
    status, created = runtime.call("POST", "/v1/admin/properties/demo/promo-codes", {
        "name": f"Keep {code}", "code": code, "discount": {"type": "percent", "percent": 10},
        "valid_from": str(date.today()), "valid_until": str(date.today() + timedelta(days=30))},
        token=runtime.token)
    assert status == 201, created


def codes(launched: Launched) -> list[str]:
    runtime = launched.runtime
    assert runtime is not None
    status, listed = runtime.call("GET", "/v1/admin/properties/demo/promo-codes", token=runtime.token)
    assert status == 200, listed
    return sorted(c["code"] for c in listed["promo_codes"])


@pytest.mark.e2e
def test_data_is_kept_across_a_restart_and_fresh_starts_over_with_the_seed_once(tmp_path: Path) -> None:
    state_dir = str(tmp_path / "state")
    first = launch(state_dir=state_dir)
    try:
        assert first.output().startswith("Revenir is running at")  # the banner first: no JSON before it
        seeded = codes(first)
        create_code(first, "GARDEMOI")
        assert first.runtime is not None
        status, connected = first.runtime.call("PUT", "/v1/admin/properties/demo/mailing", {
            "provider": "brevo", "api_key": "xkeysib-0123456789abcdef-local"}, token=first.runtime.token)
        assert status == 200 and connected["connected"] is True, connected
        children = first.children()
        assert children, "no localstripe nor function instance was started"
    finally:
        code = first.stop(signal.SIGINT)  # Ctrl-C
    assert code == 0, first.output()
    assert "state saved" in first.output()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in children if alive(pid)], "processes left behind after Ctrl-C"

    second = launch(state_dir=state_dir)
    try:
        assert "restored" in second.output()
        assert codes(second) == sorted([*seeded, "GARDEMOI"])  # kept, and the seed not applied on top
        assert second.runtime is not None  # the tool's key (a secret a function created) is kept too
        status, tested = second.runtime.call("POST", "/v1/admin/properties/demo/mailing/test",
                                             token=second.runtime.token)
        assert status == 200 and tested["ok"] is True, tested
    finally:
        second.stop()

    fresh = launch("--fresh", state_dir=state_dir)
    try:
        assert codes(fresh) == seeded
    finally:
        fresh.stop()


@pytest.mark.e2e
@pytest.mark.parametrize("variable", ["REVENIR_PORT", "REVENIR_MOTO_PORT", "REVENIR_STRIPE_PORT"])
def test_a_port_in_use_is_a_one_line_error_naming_the_port_and_the_variable(variable: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "REVENIR_PORT": str(free_port()), "REVENIR_MOTO_PORT": str(free_port()),
               "REVENIR_STRIPE_PORT": str(free_port()), variable: str(port),
               "REVENIR_STATE_DIR": str(tmp_path)}
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "local"], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=30, check=False)
    assert done.returncode != 0
    assert time.monotonic() - started < 10
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and str(port) in errors[0] and variable in errors[0], done.stderr
    assert done.stdout == ""


@pytest.mark.e2e
def test_json_logs_on_request() -> None:
    launched = launch("--json-logs")
    try:
        runtime = launched.runtime
        assert runtime is not None
        runtime.call("GET", "/health")
        deadline = time.monotonic() + 10
        while not any('"path": "/health"' in line for line in launched.lines) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        launched.stop()
    after_banner = launched.lines[next(i for i, line in enumerate(launched.lines) if line.startswith("eyJ")) + 1:]
    request = next(json.loads(line) for line in after_banner if '"path": "/health"' in line)
    assert request["status"] == 200 and request["function"] == "PlatformFunction"
    assert any(line.startswith("REPORT RequestId") for line in launched.lines)  # the functions' own log
