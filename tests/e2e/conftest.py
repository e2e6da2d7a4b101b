"""The local runtime as a subprocess (what `make run` starts), shared by the e2e tests."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Runtime:
    def __init__(self, url: str, token: str):
        self.url, self.token = url, token

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as error:
            raw, status = error.read().decode(), error.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw


class Launched:
    """A `python -m local` subprocess: its Runtime once the banner is out, its output so far, its state folder."""

    def __init__(self, process: subprocess.Popen[str], env: dict[str, str], lines: list[str], owned: bool = False):
        self.process, self.env, self.lines = process, env, lines
        self.runtime: Runtime | None = None
        self.owned = owned  # a temporary state folder of its own: removed on stop

    @property
    def state_dir(self) -> Path:
        return Path(self.env["REVENIR_STATE_DIR"])

    def output(self) -> str:
        return "".join(self.lines)

    def children(self) -> list[int]:
        """Processes the runtime started (localstripe, function instances)."""
        found: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                found += [int(p) for p in (task / "children").read_text().split()]
        return found

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Stop the runtime (a snapshot is saved first). 60 s, not less: with the fuzzer and the browser tier on
        both cores, a stop that takes about a second alone once took over 20 s in CI. Past the timeout, the
        runtime's threads are dumped into its output (faulthandler, SIGUSR1) so the failure says where it hung."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                self.process.send_signal(signal.SIGUSR1)
            time.sleep(2)
            self.process.kill()
            self.process.wait(10)
            tail = "".join(self.lines[-80:])
            raise AssertionError(f"the runtime did not stop within {timeout:g} s; its last output:\n{tail}") from None
        finally:
            if self.owned:
                shutil.rmtree(self.state_dir, ignore_errors=True)


def launch(*args: str, env: dict[str, str] | None = None, state_dir: str | None = None,
           startup_seconds: float = 90) -> Launched:
    """Start the local runtime on free ports (its own state folder unless given) and wait for its banner."""
    full = {**os.environ, "REVENIR_PORT": str(free_port()), "REVENIR_MOTO_PORT": str(free_port()),
            "REVENIR_STRIPE_PORT": str(free_port()), "PYTHONUNBUFFERED": "1",
            "REVENIR_STATE_DIR": state_dir or tempfile.mkdtemp(prefix="revenir-state-"),  # never .local-state/
            **(env or {})}
    full.pop("AWS_ENDPOINT_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "local", *args], cwd=ROOT, env=full,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    ready = threading.Event()
    assert process.stdout is not None
    stdout = process.stdout

    def read() -> None:  # keeps draining the pipe, so a chatty runtime never blocks
        for line in stdout:
            lines.append(line)
            if line.startswith("eyJ"):  # the printed admin token ends the banner
                ready.set()
        ready.set()

    threading.Thread(target=read, name="local-runtime-stdout", daemon=True).start()
    ready.wait(startup_seconds)
    launched = Launched(process, full, lines, owned=state_dir is None)
    token = next((line.strip() for line in lines if line.startswith("eyJ")), None)
    if token is None:
        process.kill()
        process.wait(10)
        pytest.fail("local runtime did not start:\n" + "".join(lines))
    launched.runtime = Runtime(f"http://127.0.0.1:{full['REVENIR_PORT']}", token)
    return launched


@pytest.fixture(scope="session")
def launched() -> Iterator[Launched]:
    """The runtime every e2e test shares, as `make run` starts it."""
    started = launch()
    yield started
    started.stop()


@pytest.fixture(scope="session")
def runtime(launched: Launched) -> Runtime:
    assert launched.runtime is not None
    return launched.runtime
