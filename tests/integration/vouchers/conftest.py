"""Gift-voucher fixtures: localstripe for the PaymentIntents, the demo gift catalog, signed Stripe events."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from local import connect as connect_stand_in
from revenir.vouchers import stripe_signature as stripe_webhook


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


STRIPE_PORT = _free_port()
WEBHOOK_SECRET = "whsec_test_revenir"
# What the local runtime's stripe_setup gives the handlers (set before any handler loads its settings).
os.environ.update({"STRIPE_SECRET_KEY": "sk_test_integration", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                   "STRIPE_API_BASE": f"http://127.0.0.1:{STRIPE_PORT}"})
# Stripe Connect (issue 17): the handlers reach localstripe through the Connect stand-in (local/connect.py),
# transparent for platform charges, which adds accounts and the Stripe-Account header's routing.
CONNECT_WEBHOOK_SECRET = "whsec_test_revenir_connect"
CONNECT, _CONNECT_SERVER = connect_stand_in.serve(f"http://127.0.0.1:{STRIPE_PORT}")
os.environ.update({"STRIPE_API_BASE": CONNECT.base_url, "STRIPE_CONNECT_WEBHOOK_SECRET": CONNECT_WEBHOOK_SECRET})


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    exe = shutil.which("localstripe") or str(Path(sys.executable).with_name("localstripe"))
    process = subprocess.Popen([exe, "--port", str(STRIPE_PORT), "--from-scratch"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{STRIPE_PORT}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(f"{base}/v1/customers", headers={
                "Authorization": "Bearer sk_test_integration"}), timeout=2).read()
            break
        except Exception:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(10)


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


@pytest.fixture
def catalog(api: Any, admin: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The demo gift products (local/demo_vouchers.py, seeded by the `demo` fixture), by short name."""
    products = api.get("/v1/admin/properties/demo/gift-products", headers=admin).json["gift_products"]
    by_name = {p["name"]: p for p in products}
    return {"custom": by_name["Chèque cadeau"], "fifty": by_name["Chèque cadeau 50 €"],
            "card": by_name["Séjour romantique vue Meuse"]}


def signed(payload: dict[str, Any], secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {"Stripe-Signature": stripe_webhook.sign(body, secret), "Content-Type": "application/json"}


def event(kind: str, obj: dict[str, Any], event_id: str = "evt_test_1") -> dict[str, Any]:
    return {"id": event_id, "object": "event", "type": kind, "created": int(time.time()), "data": {"object": obj}}


@pytest.fixture
def post_event(api: Any) -> Callable[..., Any]:
    def post(payload: dict[str, Any], secret: str = WEBHOOK_SECRET) -> Any:
        body, headers = signed(payload, secret)
        return api.post("/v1/stripe/webhook", data=body, headers=headers)
    return post


@pytest.fixture
def order(api: Any, catalog: dict[str, dict[str, Any]], localstripe: str) -> Callable[..., dict[str, Any]]:
    """order(items=…, recipient=…) -> the created order (POST gift-orders), PaymentIntent in localstripe."""
    def make(items: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
        body = {"items": items or [{"product_id": catalog["fifty"]["id"], "quantity": 2}],
                "buyer": {"first_name": "Martin", "last_name": "Colson", "email": "martin@example.com"}, **extra}
        response = api.post("/v1/properties/demo/gift-orders", json=body)
        assert response.status_code == 201, response.json
        return dict(response.json)
    return make


def succeeded(order: dict[str, Any]) -> dict[str, Any]:
    """The payment_intent.succeeded event Stripe sends for a paid order."""
    return event("payment_intent.succeeded", {
        "id": order["payment_intent_id"], "object": "payment_intent", "amount": order["amount"],
        "amount_received": order["amount"], "currency": order["currency"].lower(), "status": "succeeded",
        "metadata": {"property_id": "demo", "order_id": order["order_id"], "order_number": order["order_number"]}})
