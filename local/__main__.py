"""`make run`: the whole system on 127.0.0.1 — API, widget demo, schedules, outbox — with no AWS account.

    python -m local [--fresh] [--json-logs]
    (REVENIR_PORT=3000, REVENIR_MOTO_PORT=5055, REVENIR_STRIPE_PORT=8420; REVENIR_FRESH=1, REVENIR_LOG_FORMAT=json)

Data is kept in .local-state/ across restarts (local/state.py); --fresh starts empty with the demo seed.
What is faithful to AWS and what is not: docs/local-runtime.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PORTS = {  # what listens, the variable that moves it, its default
    "api": ("REVENIR_PORT", 3000),
    "moto": ("REVENIR_MOTO_PORT", 5055),
    "stripe": ("REVENIR_STRIPE_PORT", 8420),
}
EXIT_PORT_IN_USE = 2


class PortInUse(Exception):
    pass


def read_ports() -> dict[str, int]:
    ports = {}
    for name, (variable, default) in PORTS.items():
        raw = os.environ.get(variable, str(default))
        try:
            ports[name] = int(raw)
        except ValueError:
            raise PortInUse(f"{variable}={raw!r} is not a port number") from None
    return ports


def check_ports(ports: dict[str, int]) -> None:
    """Fail fast, naming the port and the variable to change, before anything is started."""
    for name, port in ports.items():
        variable = PORTS[name][0]
        host = "0.0.0.0" if name == "stripe" else "127.0.0.1"  # localstripe binds every interface
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                raise PortInUse(f"port {port} ({name}) is already in use: set {variable} to a free port, "
                                f"e.g. {variable}={port + 1} make run") from None


def configure_environment(ports: dict[str, int]) -> None:
    """The local runtime's own process: boto3 clients for setup talk to the emulator."""
    from local.template import REGION

    os.environ.update({
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{ports['moto']}",
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
        "MOTO_PORT": str(ports["moto"]),
    })
    os.environ.setdefault("REVENIR_JWT_SECRET", "revenir-local-secret-change-me-0123456789")
    os.environ.setdefault("REVENIR_PUBLIC_URL", f"http://127.0.0.1:{ports['api']}")


def _die_with_parent() -> None:
    """In the child, before exec: a SIGTERM when the runtime dies, even by SIGKILL (no orphan localstripe)."""
    import ctypes

    os.setsid()  # Ctrl-C reaches the runtime only: it stops its children in order
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_localstripe(port: int) -> subprocess.Popen[bytes] | None:
    exe = shutil.which("localstripe") or str(Path(sys.executable).with_name("localstripe"))
    if not Path(exe).exists():
        print("localstripe not installed: Stripe routes will fail", file=sys.stderr)
        return None
    return subprocess.Popen([exe, "--port", str(port), "--from-scratch"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise PortInUse(f"localstripe exited (code {process.returncode}) instead of listening on port {port}: "
                            f"set {PORTS['stripe'][0]} to a free port")
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise PortInUse(f"localstripe did not listen on port {port} within {seconds:.0f} s: "
                    f"set {PORTS['stripe'][0]} to a free port")


class Console:
    """Readable by default (one line per request, tick or notice); --json-logs: one JSON object per line."""

    def __init__(self, json_logs: bool):
        self.json_logs = json_logs
        self._lock = threading.Lock()

    def emit(self, text: str, **fields: Any) -> None:
        with self._lock:
            if self.json_logs:
                print(json.dumps({"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "message": text,
                                  **fields}, default=str), flush=True)
            else:
                print(f"{datetime.now().strftime('%H:%M:%S')} {text}", flush=True)

    def request(self, request: Any, status: int, invocation: Any) -> None:
        path = request.full_path.rstrip("?")
        if invocation is None:
            self.emit(f"{request.method} {path} {status}", method=request.method, path=path, status=status)
            return
        cold = f" cold start {invocation.init_ms:.0f} ms" if invocation.init_ms is not None else ""
        error = f"  {invocation.error}" if invocation.error else ""
        self.emit(f"{request.method} {path} {status}  {invocation.function} {invocation.duration_ms:.0f} ms "
                  f"{invocation.max_memory_mb:.0f}/{invocation.memory_size} MB{cold}{error}",
                  method=request.method, path=path, status=status, function=invocation.function,
                  duration_ms=round(invocation.duration_ms, 2), max_memory_mb=round(invocation.max_memory_mb),
                  memory_size_mb=invocation.memory_size, init_ms=invocation.init_ms, error=invocation.error)

    def tick(self, fired: dict[str, Any]) -> None:
        invocation = fired.get("invocation")
        took = f" {invocation.duration_ms:.0f} ms {invocation.max_memory_mb:.0f} MB" if invocation else ""
        outcome = "ok" if fired.get("ok") else f"failed: {fired.get('error')}"
        self.emit(f"tick {fired['schedule']} -> {fired['function']} {outcome}{took}",
                  schedule=fired["schedule"], function=fired["function"], ok=fired.get("ok"),
                  duration_ms=round(invocation.duration_ms, 2) if invocation else None)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", default=os.environ.get("REVENIR_FRESH", "") in ("1", "true"),
                        help="start empty with the demo seed (the saved state in .local-state/ is discarded)")
    parser.add_argument("--json-logs", action="store_true",
                        default=os.environ.get("REVENIR_LOG_FORMAT", "").lower() == "json",
                        help="JSON lines: the functions' own logs (Powertools) and REPORT lines on stdout")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        ports = read_ports()
        check_ports(ports)
    except PortInUse as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return EXIT_PORT_IN_USE
    stripe_proc = start_localstripe(ports["stripe"])
    started_at = time.monotonic()
    running: dict[str, Any] = {}  # what _start has started so far: Ctrl-C during startup stops it too
    try:
        try:
            if stripe_proc is not None:
                wait_for_port(ports["stripe"], stripe_proc)
        except PortInUse as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return EXIT_PORT_IN_USE
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)  # even when started in the background (SIGINT ignored)
        server, banner = _start(args, ports, running)
        print(banner, flush=True)
        print(f"ready in {time.monotonic() - started_at:.1f} s", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        _stop(running.get("moto"), running.get("pool"), running.get("clock"), running.get("snapshots"),
              stripe_proc, running.get("event_sources"))
        print(f"stopped after {time.monotonic() - started_at:.0f} s", flush=True)
    return 0


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def _stop(moto: Any, pool: Any, local_clock: Any, snapshots: Any, stripe_proc: Any, event_sources: Any = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the snapshot short
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if event_sources is not None:
        event_sources.stop()
    if local_clock is not None:
        local_clock.stop()
    if snapshots is not None:
        try:
            if snapshots.save(force=True):
                print(f"state saved in {snapshots.state_dir}", flush=True)
        except Exception as exc:
            print(f"error: state not saved: {exc}", file=sys.stderr, flush=True)
    if pool is not None:
        pool.close()
    if stripe_proc is not None and stripe_proc.poll() is None:
        stripe_proc.terminate()
        try:
            stripe_proc.wait(5)
        except subprocess.TimeoutExpired:
            stripe_proc.kill()
    if moto is not None:
        moto.stop()


def _start(args: argparse.Namespace, ports: dict[str, int], running: dict[str, Any]) -> tuple[Any, str]:
    import faulthandler

    faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid> prints every thread's stack (debugging hangs)
    configure_environment(ports)
    import logging
    import urllib.parse
    import urllib.request
    import warnings

    import boto3
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    from local import connect, demo, emulator, fastdb, iam, outbox, state, stripe_setup, tokens
    from local.event_sources import EventSources
    from local.gateway import Gateway
    from local.scheduler import LocalClock
    from local.template import load
    from local.workers import WorkerPool
    from revenir.core import clock

    console = Console(args.json_logs)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    emulator.serialise_server_requests()
    fastdb.install()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=ports["moto"], verbose=False)
    moto.start()
    running["moto"] = moto
    urllib.request.urlopen(urllib.request.Request(  # Step Functions really executes state machines
        f"http://127.0.0.1:{ports['moto']}/moto-api/config", method="POST",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"}))

    if args.fresh:
        state.clear()
    saved = state.read()
    template = load()
    secret_values = emulator.create_resources(template, lambda service: boto3.client(service),  # type: ignore[call-overload]
                                              (saved or {}).get("secrets"))
    restored = 0
    if saved is not None:
        with emulator._holding():
            restored = state.restore_tables(saved)
        state.restore_runtime_secrets(saved, boto3.client("secretsmanager"))
        clock.travel(float(saved.get("clock_offset") or 0))
    roles = iam.create_roles(template, lambda service: boto3.client(service))  # type: ignore[call-overload]
    # Stripe Connect: a stand-in in front of localstripe (local/connect.py); its accounts kept beside the state
    connect_standin, _ = connect.serve(f"http://127.0.0.1:{ports['stripe']}",
                                       state_file=None if saved is None else state.STATE_DIR / "connect.json")
    connect_standin.state_file = state.STATE_DIR / "connect.json"
    stripe_env = stripe_setup.environment(ports["stripe"], ports["api"], connect_standin.base_url)
    log_file: Any = sys.stdout  # --json-logs: the functions' own output and REPORT lines, on stdout
    if not args.json_logs:
        state.STATE_DIR.mkdir(parents=True, exist_ok=True)
        log_file = (state.STATE_DIR / "functions.log").open("a", encoding="utf-8", buffering=1)

    from local import fakes

    fakes_root = f"http://127.0.0.1:{ports['api']}/_fakes"  # the e-mailing tools' fakes, on the gateway's port

    def environment(fn: Any) -> dict[str, str]:
        env = iam.function_environment(fn, roles[fn.logical_id], ports, stripe_env)
        fakes.override(fn.environment, env, fakes_root)
        return env

    pool = WorkerPool(template, environment, log=log_file,
                      clock_offset=lambda: clock._offset.total_seconds())
    running["pool"] = pool
    def states_invoked(name: str, error: Exception | None) -> None:
        invocation = pool.last_invocation()
        took = f" {invocation.duration_ms:.0f} ms {invocation.max_memory_mb:.0f} MB" if invocation else ""
        console.emit(f"states -> {name} {'ok' if error is None else f'failed: {error}'}{took}",
                     source="states", function=name, ok=error is None)

    emulator.route_lambda_invocations(pool.invoke, states_invoked)
    emulator.waits_follow_the_local_clock()
    local_clock = LocalClock(template, pool, on_fire=console.tick)
    running["clock"] = local_clock

    def clock_route(request: Request) -> Response:
        if request.method == "POST":
            seconds = float(request.args.get("seconds") or (request.get_json(silent=True) or {}).get("seconds", 0))
            fired = local_clock.advance(seconds)
        else:
            fired = []
        body = {"now": clock.iso(clock.now()), "fired": fired,
                "next": {k: clock.iso(v) for k, v in local_clock.next_fire.items()}}
        return Response(json.dumps(body), mimetype="application/json")

    def outbox_route(_: Request) -> Response:
        return Response(outbox.page(), mimetype="text/html")

    def outbox_json(_: Request) -> Response:
        return Response(json.dumps(outbox.messages()), mimetype="application/json")

    def instances_route(_: Request) -> Response:
        return Response(json.dumps(pool.stats()), mimetype="application/json")

    def iam_route(_: Request) -> Response:
        return Response(json.dumps(iam.report(roles)), mimetype="application/json")

    def checkout_route(request: Request) -> Response:
        """The demo page plays the booking engine: it starts a checkout with the property's token."""
        import secrets as random

        from werkzeug.test import Client

        data = request.get_json(silent=True) or {}
        cart_id = f"demo-{random.token_hex(4)}"
        total = sum(int(line.get("amount", 0)) for line in data.get("lines", []))
        language = data.get("language") if data.get("language") in ("fr", "en", "nl", "de") else "fr"
        # The recovery URL brings this stay back on the demo page (a booking engine's own basket URL).
        resume = {k: str(v) for k, v in (data.get("resume") or {}).items()
                  if k in ("stay", "arrival", "departure", "options") and isinstance(v, str)}
        query = urllib.parse.urlencode({"cart": cart_id, "lang": language, **resume})
        body = {"cart_id": cart_id, "email": data.get("email"), "first_name": data.get("first_name") or "Martin",
                "language": language, "arrival": data.get("arrival"), "departure": data.get("departure"),
                "lines": data.get("lines", []), "total": total, "currency": "EUR",
                "recovery_url": f"http://127.0.0.1:{ports['api']}/?{query}#booking"}
        answer = Client(gateway).post(f"/v1/properties/{demo.DEMO_PROPERTY}/carts", json=body,
                                      headers={"Authorization": f"Bearer {token}"})
        return Response(answer.get_data(), status=answer.status_code, mimetype="application/json")

    event_sources = EventSources(template, pool.invoke, lambda service: boto3.client(service))  # type: ignore[call-overload]

    def event_sources_route(request: Request) -> Response:
        """GET: each SQS/stream mapping's figures; POST …/drain: wait until nothing is left to deliver."""
        drained = event_sources.drain(float(request.args.get("timeout", 30))) if request.method == "POST" else None
        return Response(json.dumps({"drained": drained, "mappings": event_sources.stats()}),
                        mimetype="application/json")

    def config_route(_: Request) -> Response:
        body: dict[str, Any] = {"property_id": demo.DEMO_PROPERTY,
                                "stripe_js_url": f"http://127.0.0.1:{ports['api']}/_local/stripe.js"}
        return Response(json.dumps(body), mimetype="application/json")

    def stripe_js_route(_: Request) -> Response:
        """Stripe.js locally: the Payment Element stand-in over localstripe's (local/stripe_payment_element.js)."""
        return Response(stripe_setup.payment_element_script(ports["stripe"], ports["api"]),
                        mimetype="text/javascript", headers={"Cache-Control": "no-store"})

    def stripe_confirm_route(request: Request) -> Response:
        data = request.get_json(silent=True) or {}
        status, body = stripe_setup.confirm_intent(connect_standin.base_url, str(data.get("client_secret") or ""),
                                                   str(data.get("payment_method") or ""),
                                                   str(data["stripe_account"]) if data.get("stripe_account") else None)
        return Response(json.dumps(body), status=status, mimetype="application/json")

    gateway = Gateway(template, pool, {
        "/_local/clock": clock_route, "/_local/clock/advance": clock_route,
        "/_local/outbox": outbox_route, "/_local/outbox.json": outbox_json, "/_local/config": config_route,
        "/_local/demo/checkout": checkout_route, "/_local/instances": instances_route,
        "/_local/iam": iam_route, "/_local/event-sources": event_sources_route,
        "/_local/event-sources/drain": event_sources_route,
        "/_local/stripe.js": stripe_js_route, "/_local/stripe/confirm": stripe_confirm_route,
    })
    iam.enforce()  # setup is done: from here on, every AWS call is checked against the caller's role
    # the demo seed once, never on top of restored data
    token = (demo.seed(gateway, connect_base=connect_standin.base_url) if saved is None
             else tokens.mint([demo.DEMO_PROPERTY]))
    gateway.console = console.request
    stripe_setup.configure(ports["stripe"], ports["api"], connect_standin)

    def take() -> dict[str, Any]:
        with emulator._holding():
            return state.capture(secret_values, clock._offset.total_seconds())

    snapshots = state.Snapshotter(take, lambda: fastdb.WRITES["count"])
    if saved is None:
        snapshots.save(force=True)  # the seed is kept from the first second
    snapshots.start()
    running["snapshots"] = snapshots
    local_clock.start()
    event_sources.start()  # after the seed and the restore: streams start at LATEST, as a new mapping does
    running["event_sources"] = event_sources
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    server = make_server("127.0.0.1", ports["api"], DispatcherMiddleware(gateway, {"/_fakes": fakes.FakeTools()}),
                         threaded=True)
    url = f"http://127.0.0.1:{ports['api']}"
    kept = (f"restored {restored:,} items from {state.STATE_DIR}" if saved is not None
            else f"fresh start with the demo seed, kept in {state.STATE_DIR}")
    logs = "JSON on stdout" if args.json_logs else f"{state.STATE_DIR / 'functions.log'}"
    banner = (f"Revenir is running at {url}\n"
              f"  widget demo   {url}/\n  API           {url}/v1/openapi.json  {url}/health\n"
              f"  outbox        {url}/_local/outbox\n  clock         POST {url}/_local/clock/advance?seconds=N\n"
              f"  emulators     moto http://127.0.0.1:{ports['moto']}  localstripe http://127.0.0.1:{ports['stripe']}\n"
              f"  data          {kept} (make run FRESH=1 starts empty)\n"
              f"  function logs {logs}\n"
              f"  JWT secret    REVENIR_JWT_SECRET={os.environ['REVENIR_JWT_SECRET']}\n"
              f"  admin token for property '{demo.DEMO_PROPERTY}':\n{token}")
    return server, banner


if __name__ == "__main__":
    sys.exit(main())
