"""Gift-voucher figures, measured in one run (moto in-process, real handlers behind the local gateway):

1. importing 10,000 codes through the API, as a ratio to raw boto3 BatchWriteItem of the same items (goal ≤ 1.5x);
2. Stripe webhook handling latency (a new order issued and e-mailed; the same event again);
3. DynamoDB calls per redeem (goal: one transaction).
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import date
from typing import Any

from bench import offline_aws

ROWS = 10_000
WEBHOOK_ROUNDS = 15
IMPORT_GOAL = 1.5


def _environment() -> None:
    offline_aws(STRIPE_WEBHOOK_SECRET="whsec_bench", STRIPE_SECRET_KEY="sk_test_bench")


def measure(rows: int = ROWS, rounds: int = WEBHOOK_ROUNDS) -> dict[str, Any]:
    _environment()
    import boto3
    from moto import mock_aws
    from werkzeug.test import Client

    from local import demo, emulator, fastdb
    from local.gateway import Gateway
    from local.lambdas import LocalLambdas
    from local.template import load
    from revenir.core import clock
    from revenir.table.dynamodb import serialize
    from revenir.vouchers import codes as voucher_codes
    from revenir.vouchers import stripe_signature as stripe_webhook
    from revenir.vouchers.store import NewVoucher, VoucherRepository

    emulator.serialise_in_process_requests()
    fastdb.install()  # as `make run` does: moto's transactions otherwise copy every table, stream included
    out: dict[str, Any] = {}
    with mock_aws():
        template = load()
        emulator.create_resources(template, lambda service: boto3.client(service))  # type: ignore[call-overload]
        table = next(iter(template.tables))
        gateway = Gateway(template, LocalLambdas(template))
        admin = {"Authorization": f"Bearer {demo.seed(gateway, sample_data=False)}"}
        client = Client(gateway)
        products = client.get("/v1/admin/properties/demo/gift-products", headers=admin).get_json()["gift_products"]
        fifty = next(p for p in products if p["kind"] == "voucher" and p["value"]["type"] == "fixed")
        custom = next(p for p in products if p["value"]["type"] == "custom")

        repo = VoucherRepository(boto3.client("dynamodb"), table)
        from revenir.vouchers.models import GiftProduct

        product = GiftProduct.model_validate(fifty)

        # webhook and redeem first: moto deep-copies the table for each transaction item, so they are
        # measured on a small table (DynamoDB's latency does not grow with the table)
        # 2. webhook latency: new orders (issue + e-mail) and duplicates
        first: list[float] = []
        duplicate: list[float] = []
        for n in range(rounds):
            order_id = f"go_bench{n:04d}"
            repo.create_order("demo", {
                "order_id": order_id, "order_number": f"GBENCH{n:04d}", "property_id": "demo", "status": "pending",
                "items": [{"product_id": custom["id"], "kind": "voucher", "name": custom["name"],
                           "unit_amount": 5000, "quantity": 2}], "total": 10000, "currency": "EUR",
                "buyer": {"first_name": "Bench", "last_name": "Mark", "email": "bench@example.com"},
                "deliveries": [{"to": "buyer", "due_at": clock.iso(clock.now())}], "created_at": "x"})
            body = json.dumps({"id": f"evt_{n}", "type": "payment_intent.succeeded", "data": {"object": {
                "id": f"pi_bench{n}", "object": "payment_intent", "amount": 10000, "amount_received": 10000,
                "currency": "eur", "metadata": {"property_id": "demo", "order_id": order_id}}}}).encode()
            for timings in (first, duplicate):
                headers = {"Stripe-Signature": stripe_webhook.sign(body, "whsec_bench")}
                started = time.perf_counter()
                response = client.post("/v1/stripe/webhook", data=body, headers=headers)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.get_data(as_text=True)
        out["webhook"] = {"first_ms": statistics.median(first) * 1000,
                          "duplicate_ms": statistics.median(duplicate) * 1000}

        # 3. DynamoDB calls per redeem
        code = client.post(f"/v1/admin/properties/demo/gift-products/{custom['id']}/vouchers", headers=admin,
                           json={"amount": 10000, "reason": "bench"}).get_json()["code"]
        counts = {}
        for label, booking in (("redeem", "B-1"), ("redeem again, same booking", "B-1")):
            emulator.CALLS.clear()
            response = client.post("/v1/properties/demo/vouchers/redeem", headers=admin, json={
                "code": code, "booking_id": booking, "amount": 1000, "currency": "EUR"})
            assert response.status_code in (200, 201)
            counts[label] = {op.removeprefix("dynamodb."): n for op, n in emulator.CALLS.items()
                             if op.startswith("dynamodb.")}
        out["redeem_calls"] = counts

        # 1. import vs raw writes of the same items (voucher + issue entry per code)
        codes = [voucher_codes.generate() for _ in range(2 * rows)]
        csv_text = "code;value;valid_until\n" + "".join(f"{c};50;2027-12-31\n" for c in codes[:rows])
        started = time.perf_counter()
        report = client.post(f"/v1/admin/properties/demo/gift-products/{fifty['id']}/vouchers/import",
                             data=csv_text.encode(), headers={**admin, "Content-Type": "text/csv"}).get_json()
        api_seconds = time.perf_counter() - started
        assert report["imported"] == rows, report.get("error") or report["rejected"]
        dynamodb = boto3.client("dynamodb")
        started = time.perf_counter()
        batch: list[Any] = []
        for code in codes[rows:]:
            new = NewVoucher(code=code, product=product, value=5000, valid_until=date(2027, 12, 31),
                             purchased_at="2026-11-23T00:00:00Z", source="import", note="import")
            for item in repo._voucher_items("demo", new, "Europe/Brussels"):
                batch.append({"PutRequest": {"Item": serialize(item)}})
                if len(batch) == 25:
                    dynamodb.batch_write_item(RequestItems={table: batch})
                    batch = []
        if batch:
            dynamodb.batch_write_item(RequestItems={table: batch})
        raw_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = client.post(f"/v1/admin/properties/demo/gift-products/{fifty['id']}/vouchers/import",
                            data=csv_text.encode(), headers={**admin, "Content-Type": "text/csv"}).get_json()
        reimport_seconds = time.perf_counter() - started
        assert again["imported"] == 0 and again["unchanged"] == rows
        out["import"] = {"rows": rows, "api_s": api_seconds, "raw_s": raw_seconds, "reimport_s": reimport_seconds,
                         "ratio": api_seconds / raw_seconds}

    return out


def run() -> None:
    results = measure()
    imp = results["import"]
    verdict = "goal met" if imp["ratio"] <= IMPORT_GOAL else "goal MISSED"
    print("Gift vouchers (moto in-process, real handlers)")
    print(f"  import {imp['rows']:,} codes via the API  {imp['api_s']:.2f} s   raw boto3 BatchWriteItem of the same "
          f"items {imp['raw_s']:.2f} s   ratio {imp['ratio']:.2f}x (goal ≤ {IMPORT_GOAL}x: {verdict})")
    print(f"  re-import of the same file (writes nothing)  {imp['reimport_s']:.2f} s")
    hook = results["webhook"]
    print(f"  webhook payment_intent.succeeded, median of {WEBHOOK_ROUNDS}: issue 2 vouchers + e-mail "
          f"{hook['first_ms']:.1f} ms   same event again {hook['duplicate_ms']:.1f} ms")
    for label, calls in results["redeem_calls"].items():
        total = sum(calls.values())
        print(f"  DynamoDB calls per {label}: {total} {calls} (goal: one transaction)")
