"""`make run`: the whole system on 127.0.0.1 — API, widget demo, schedules, outbox — with no AWS account.

    python -m local            (REVENIR_PORT=3000, REVENIR_MOTO_PORT=5055, REVENIR_STRIPE_PORT=8420)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def configure_environment() -> dict[str, int]:
    ports = {
        "api": int(os.environ.get("REVENIR_PORT", "3000")),
        "moto": int(os.environ.get("REVENIR_MOTO_PORT", "5055")),
        "stripe": int(os.environ.get("REVENIR_STRIPE_PORT", "8420")),
    }
    from local.template import REGION

    # What a handler sees is what Lambda gives it, plus the endpoint of the emulator (AWS_ENDPOINT_URL).
    os.environ.update({
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{ports['moto']}",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "MOTO_PORT": str(ports["moto"]),
        "STRIPE_API_BASE": f"http://127.0.0.1:{ports['stripe']}",
        "POWERTOOLS_METRICS_NAMESPACE": "Revenir",
        "POWERTOOLS_DEV": os.environ.get("POWERTOOLS_DEV", "false"),
    })
    os.environ.setdefault("REVENIR_JWT_SECRET", "revenir-local-secret-change-me-0123456789")
    os.environ.setdefault("REVENIR_PUBLIC_URL", f"http://127.0.0.1:{ports['api']}")
    return ports


def start_localstripe(port: int) -> subprocess.Popen[bytes] | None:
    exe = shutil.which("localstripe") or str(Path(sys.executable).with_name("localstripe"))
    if not Path(exe).exists():
        print("localstripe not installed: Stripe routes will fail", file=sys.stderr)
        return None
    return subprocess.Popen([exe, "--port", str(port), "--from-scratch"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    import faulthandler

    faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid> prints every thread's stack (debugging hangs)
    ports = configure_environment()
    import logging
    import warnings

    import boto3
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    from local import demo, emulator, fastdb, outbox
    from local.gateway import Gateway
    from local.lambdas import LocalLambdas
    from local.scheduler import LocalClock
    from local.template import load
    from revenir import clock

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    emulator.serialise_server_requests()
    fastdb.install()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=ports["moto"], verbose=False)
    moto.start()
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(  # Step Functions really executes state machines
        f"http://127.0.0.1:{ports['moto']}/moto-api/config", method="POST",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"}))
    stripe_proc = start_localstripe(ports["stripe"])

    template = load()
    emulator.create_resources(template, lambda service: boto3.client(service))
    lambdas = LocalLambdas(template)
    emulator.route_lambda_invocations(lambdas.invoke)
    emulator.waits_follow_the_local_clock()
    local_clock = LocalClock(template, lambdas)

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

    def checkout_route(request: Request) -> Response:
        """The demo page plays the booking engine: it starts a checkout with the property's token."""
        import secrets as random

        from werkzeug.test import Client

        data = request.get_json(silent=True) or {}
        cart_id = f"demo-{random.token_hex(4)}"
        total = sum(int(line.get("amount", 0)) for line in data.get("lines", []))
        body = {"cart_id": cart_id, "email": data.get("email"), "first_name": data.get("first_name") or "Martin",
                "language": "fr", "arrival": data.get("arrival"), "departure": data.get("departure"),
                "lines": data.get("lines", []), "total": total, "currency": "EUR",
                "recovery_url": f"http://127.0.0.1:{ports['api']}/?cart={cart_id}"}
        answer = Client(gateway).post(f"/v1/properties/{demo.DEMO_PROPERTY}/carts", json=body,
                                      headers={"Authorization": f"Bearer {token}"})
        return Response(answer.get_data(), status=answer.status_code, mimetype="application/json")

    def config_route(_: Request) -> Response:
        body: dict[str, Any] = {"property_id": demo.DEMO_PROPERTY,
                                "stripe_js_url": f"http://127.0.0.1:{ports['stripe']}/js.stripe.com/v3/"}
        return Response(json.dumps(body), mimetype="application/json")

    gateway = Gateway(template, lambdas, {
        "/_local/clock": clock_route, "/_local/clock/advance": clock_route,
        "/_local/outbox": outbox_route, "/_local/outbox.json": outbox_json, "/_local/config": config_route,
        "/_local/demo/checkout": checkout_route,
    })
    token = demo.seed(gateway)
    from local import stripe_setup

    stripe_setup.configure(ports["stripe"], ports["api"])
    local_clock.start()
    server = make_server("127.0.0.1", ports["api"], gateway, threaded=True)

    def shutdown(*_: Any) -> None:
        local_clock.stop()
        if stripe_proc:
            stripe_proc.terminate()
        moto.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, shutdown)
    url = f"http://127.0.0.1:{ports['api']}"
    print(f"Revenir is running at {url}\n"
          f"  widget demo   {url}/\n  API           {url}/v1/openapi.json  {url}/health\n"
          f"  outbox        {url}/_local/outbox\n  clock         POST {url}/_local/clock/advance?seconds=N\n"
          f"  emulators     moto http://127.0.0.1:{ports['moto']}  localstripe http://127.0.0.1:{ports['stripe']}\n"
          f"  JWT secret    REVENIR_JWT_SECRET={os.environ['REVENIR_JWT_SECRET']}\n"
          f"  admin token for property '{demo.DEMO_PROPERTY}':\n{token}", flush=True)
    started = time.monotonic()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        print(f"stopped after {time.monotonic() - started:.0f}s")
        shutdown()


if __name__ == "__main__":
    main()
