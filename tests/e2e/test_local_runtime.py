"""`make run` for real: the local runtime as a subprocess, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
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
           "REVENIR_STRIPE_PORT": str(free_port()), "PYTHONUNBUFFERED": "1"}
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


@pytest.mark.e2e
def test_serves_health_openapi_outbox_and_the_demo(runtime: Runtime) -> None:
    assert runtime.call("GET", "/health") == (200, {"status": "ok"})
    status, document = runtime.call("GET", "/v1/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.")
    assert "/v1/admin/properties/{property_id}" in document["paths"]
    status, page = runtime.call("GET", "/_local/outbox")
    assert status == 200 and "Outbox" in page
    status, demo = runtime.call("GET", "/v1/admin/properties/demo", token=runtime.token)
    assert status == 200 and demo["time_zone"] == "Europe/Brussels"
    status, index = runtime.call("GET", "/")
    assert status == 200 and "revenir-widget" in index


@pytest.mark.e2e
def test_clock_advances_on_request(runtime: Runtime) -> None:
    _, before = runtime.call("GET", "/_local/clock")
    _, after = runtime.call("POST", "/_local/clock/advance?seconds=86400")
    assert after["now"][:10] > before["now"][:10]
