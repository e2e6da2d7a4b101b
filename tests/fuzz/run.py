"""`make fuzz`: schemathesis against the local runtime (what `make run` starts), every operation of /v1/openapi.json.

Starts `python -m local` on free ports, takes the admin token it prints (demo property), runs schemathesis with the
checks not_a_server_error and response_schema_conformance and a bounded example count, prints the time it took,
and exits with schemathesis's status (non-zero on any failure). FUZZ_MAX_EXAMPLES and FUZZ_WORKERS tune the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_runtime() -> tuple[subprocess.Popen[str], str, str]:
    port = free_port()
    env = {**os.environ, "REVENIR_PORT": str(port), "REVENIR_MOTO_PORT": str(free_port()),
           "REVENIR_STRIPE_PORT": str(free_port()), "PYTHONUNBUFFERED": "1"}
    env.pop("AWS_ENDPOINT_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "local"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if line.startswith("eyJ"):  # the printed admin token ends the banner
            return process, f"http://127.0.0.1:{port}", line.strip()
    process.kill()
    sys.exit("local runtime did not start:\n" + "".join(lines))


def main() -> int:
    process, url, token = start_runtime()
    # keep draining the runtime's output so it never blocks on a full pipe; keep it for diagnosis
    log_path = ROOT / ".fuzz-runtime.log"
    drain = subprocess.Popen(["cat"], stdin=process.stdout, stdout=log_path.open("w"))
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    command = [
        schemathesis, "--config-file", str(CONFIG), "run", f"{url}/v1/openapi.json",
        "--url", f"{url}",
        "-H", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error,response_schema_conformance",
        "--max-examples", os.environ.get("FUZZ_MAX_EXAMPLES", "25"),
        "--workers", os.environ.get("FUZZ_WORKERS", "1"),  # 2 hit a hypothesis thread-safety error
        "--seed", os.environ.get("FUZZ_SEED", "12"),
        "--request-timeout", "30",
        "--no-color",
        *sys.argv[1:],
    ]
    started = time.monotonic()
    try:
        rc = subprocess.call(command, cwd=ROOT)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        drain.wait(10)
    print(f"fuzz: schemathesis finished in {time.monotonic() - started:.0f} s (exit {rc}); runtime log {log_path}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
