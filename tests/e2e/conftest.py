"""The local runtime as a subprocess (what `make run` starts), shared by the e2e tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
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


@pytest.fixture(scope="session")
def runtime() -> Iterator[Runtime]:
    env = {**os.environ, "REVENIR_PORT": str(free_port()), "REVENIR_MOTO_PORT": str(free_port()),
           "REVENIR_STRIPE_PORT": str(free_port()), "PYTHONUNBUFFERED": "1",
           "REVENIR_STATE_DIR": tempfile.mkdtemp(prefix="revenir-state-")}  # never a developer's .local-state/
    env.pop("AWS_ENDPOINT_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "local"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if line.startswith("eyJ"):  # the printed admin token ends the banner
            break
    if not lines or not lines[-1].startswith("eyJ"):
        process.kill()
        pytest.fail("local runtime did not start:\n" + "".join(lines))
    yield Runtime(f"http://127.0.0.1:{env['REVENIR_PORT']}", lines[-1].strip())
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
