"""Browser tests: the local runtime (`make run`) as a subprocess, driven by headless Chromium through Playwright.

Playwright never downloads a browser here: it drives Debian's Chromium (`make system-packages`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class LocalRuntime:
    url: str
    token: str
    output: list[str]


@pytest.fixture(scope="session")
def local_runtime() -> Iterator[LocalRuntime]:
    """`python -m local` on free ports; ready once its banner has printed the admin token (a line "eyJ…")."""
    env = {**os.environ, "REVENIR_PORT": str(free_port()), "REVENIR_MOTO_PORT": str(free_port()),
           "REVENIR_STRIPE_PORT": str(free_port()), "PYTHONUNBUFFERED": "1",
           "REVENIR_STATE_DIR": tempfile.mkdtemp(prefix="revenir-state-")}  # never a developer's .local-state/
    env.pop("AWS_ENDPOINT_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "local"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    stdout = process.stdout
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:  # keeps draining the pipe after the banner, so a chatty runtime never blocks
        for line in stdout:
            lines.append(line)
            if line.startswith("eyJ"):  # the printed admin token ends the banner
                ready.set()
        ready.set()  # EOF: the process died before (or after) the banner

    reader = threading.Thread(target=read, name="local-runtime-stdout", daemon=True)
    reader.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not ready.wait(0.2) and time.monotonic() < deadline:
        pass
    token = next((line.strip() for line in lines if line.startswith("eyJ")), None)
    if token is None:
        process.kill()
        process.wait(10)
        pytest.fail("local runtime did not start:\n" + "".join(lines))
    try:
        yield LocalRuntime(f"http://127.0.0.1:{env['REVENIR_PORT']}", token, lines)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        reader.join(5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, once per session."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make system-packages`) to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any, local_runtime: LocalRuntime) -> Iterator[Any]:
    """A fresh page (own context: no shared storage) on the local runtime, French locale, Brussels time."""
    context = browser.new_context(base_url=local_runtime.url, locale="fr-BE", timezone_id="Europe/Brussels",
                                  viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
