"""Local DynamoDB cost per row as the table grows (the local runtime's emulator: moto + local/fastdb.py).

On a table already holding 100,000 items, through the API with the real handlers (moto in-process, the
emulator lock and local/fastdb.py as `make run` installs them): a 10,000-row voucher import, a 5,000-row
review import and a 20,000-card partner upload, each sent as files of 1,000 rows. Goals: time per row flat
(last 1,000 rows / first 1,000 rows <= 1.2) and peak memory (this process's max RSS) under 1.5 GB.
"""

from __future__ import annotations

import os
import resource
import time
from datetime import date, timedelta
from typing import Any

PRELOAD = 100_000
CHUNK = 1_000
VOUCHER_ROWS = 10_000
REVIEW_ROWS = 5_000
CARD_ROWS = 20_000
RATIO_GOAL = 1.2
MEMORY_GOAL_MB = 1536


def _environment() -> None:
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "eu-west-3",
                       "STRIPE_WEBHOOK_SECRET": "whsec_bench", "STRIPE_SECRET_KEY": "sk_test_bench"})


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _preload(table_name: str, count: int) -> None:
    """`count` items of another property, straight into the emulator's table (what is measured is the API)."""
    from moto.dynamodb.models import dynamodb_backends

    from local.template import ACCOUNT, REGION

    table = dynamodb_backends[ACCOUNT][REGION].tables[table_name]
    for n in range(count):
        table.put_item({"pk": {"S": f"PROPERTY#filler{n % 100}"}, "sk": {"S": f"VOUCHER#F{n:07d}"},
                        "gsi1pk": {"S": f"FILLER#{n % 500}"}, "gsi1sk": {"S": f"{n:07d}"},
                        "status": {"S": "active"}, "value": {"N": "5000"}, "note": {"S": "filler " * 8}})


def _chunks(rows: int, chunk: int, post: Any, wall: list[float]) -> list[float]:
    """CPU seconds per row for each file of `chunk` rows (this process does all the work: the emulator and the
    handlers; CPU time is what a busy shared machine does not blur). Wall seconds per row go into `wall`."""
    per_row = []
    for start in range(0, rows, chunk):
        started, cpu = time.perf_counter(), time.process_time()
        post(start)
        per_row.append((time.process_time() - cpu) / chunk)
        wall.append((time.perf_counter() - started) / chunk)
    return per_row


def measure(preload: int = PRELOAD, vouchers: int = VOUCHER_ROWS, reviews: int = REVIEW_ROWS,
            cards: int = CARD_ROWS, chunk: int = CHUNK) -> dict[str, Any]:
    _environment()
    import boto3
    from moto import mock_aws
    from werkzeug.test import Client

    from local import demo, emulator, fastdb
    from local.gateway import Gateway
    from local.lambdas import LocalLambdas
    from local.template import load
    from revenir.vouchers import codes as voucher_codes

    emulator.serialise_in_process_requests()
    fastdb.install()
    out: dict[str, Any] = {}
    with mock_aws():
        template = load()
        emulator.create_resources(template, lambda service: boto3.client(service))  # type: ignore[call-overload]
        table = next(iter(template.tables))
        gateway = Gateway(template, LocalLambdas(template))
        admin = {"Authorization": f"Bearer {demo.seed(gateway, sample_data=False)}"}
        client = Client(gateway)
        started = time.perf_counter()
        _preload(table, preload)
        boto3.client("dynamodb").query(  # the GSI maps are built on first use: not in the first file's time
            TableName=table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :k",
            ExpressionAttributeValues={":k": {"S": "FILLER#0"}}, Limit=1)
        out["preload_s"] = time.perf_counter() - started

        products = client.get("/v1/admin/properties/demo/gift-products", headers=admin).get_json()["gift_products"]
        fifty = next(p for p in products if p["kind"] == "voucher" and p["value"]["type"] == "fixed")

        def voucher_file(start: int) -> None:
            body = "code;value;valid_until\n" + "".join(
                f"{voucher_codes.generate()};50;2027-12-31\n" for _ in range(chunk))
            report = client.post(f"/v1/admin/properties/demo/gift-products/{fifty['id']}/vouchers/import",
                                 data=body.encode(), headers={**admin, "Content-Type": "text/csv"}).get_json()
            assert report["imported"] == chunk, report.get("error") or report.get("rejected")

        out["vouchers_wall"] = []
        out["vouchers"] = _chunks(vouchers, chunk, voucher_file, out["vouchers_wall"])

        header = ("Review date;Guest name;Reservation number;Review title;Positive review;Negative review;"
                  "Review score;Staff;Facilities;Cleanliness;Comfort;Value for money;Location;Free WiFi;"
                  "Property reply\n")
        first_day = date(2026, 1, 1)

        def review_file(start: int) -> None:
            lines = [f"{first_day + timedelta(days=(start + n) % 300)};Guest {start + n};{900000 + start + n};"
                     f"Séjour;Le calme;;{1 + (start + n) % 10};9;8;9;9;8;10;7;\n" for n in range(chunk)]
            response = client.post("/v1/admin/properties/demo/reviews/imports/booking",
                                   data=(header + "".join(lines)).encode(),
                                   headers={**admin, "Content-Type": "text/csv"})
            assert response.status_code in (200, 201), response.get_data(as_text=True)[:500]

        out["reviews_wall"] = []
        out["reviews"] = _chunks(reviews, chunk, review_file, out["reviews_wall"])

        program = client.post("/v1/admin/properties/demo/partner-programs", headers=admin, json={
            "name": "Pass bench", "discount": {"type": "percent", "percent": 10},
            "valid_from": str(date.today() - timedelta(days=1)),
            "valid_until": str(date.today() + timedelta(days=365))}).get_json()

        def card_file(start: int) -> None:
            body = "card_number\n" + "".join(f"PB-{start + n:07d}\n" for n in range(chunk))
            report = client.post(f"/v1/admin/properties/demo/partner-programs/{program['id']}/cards",
                                 data=body.encode(), headers={**admin, "Content-Type": "text/csv"}).get_json()
            assert report["added"] == chunk, report

        out["cards_wall"] = []
        out["cards"] = _chunks(cards, chunk, card_file, out["cards_wall"])
        out["items"] = sum(1 for _ in _all_items(table))
    out["peak_mb"] = peak_mb()
    return out


def _all_items(table_name: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    from local.template import ACCOUNT, REGION

    table = dynamodb_backends[ACCOUNT][REGION].tables.get(table_name)
    return table.all_items() if table is not None else []


def ratio(per_row: list[float]) -> float:
    return per_row[-1] / per_row[0]


def run() -> None:
    results = measure()
    print(f"Local DynamoDB as the table grows (moto + local/fastdb.py, in-process; "
          f"{PRELOAD:,} items preloaded in {results['preload_s']:.1f} s); CPU ms per row, files of {CHUNK:,} rows")
    for label, key, rows in (("voucher import", "vouchers", VOUCHER_ROWS), ("review import", "reviews", REVIEW_ROWS),
                             ("partner card upload", "cards", CARD_ROWS)):
        per_row, wall = results[key], results[f"{key}_wall"]
        verdict = "goal met" if ratio(per_row) <= RATIO_GOAL else "goal MISSED"
        print(f"  {label:<20} {rows:>6,} rows  first 1,000 {per_row[0] * 1000:.2f} ms/row   last 1,000 "
              f"{per_row[-1] * 1000:.2f} ms/row   ratio {ratio(per_row):.2f} (goal ≤ {RATIO_GOAL}: {verdict})   "
              f"wall {wall[0] * 1000:.2f} → {wall[-1] * 1000:.2f} ms/row ({ratio(wall):.2f})")
    verdict = "goal met" if results["peak_mb"] < MEMORY_GOAL_MB else "goal MISSED"
    print(f"  peak memory {results['peak_mb']:.0f} MB (goal < {MEMORY_GOAL_MB} MB: {verdict}); "
          f"table now {results['items']:,} items")
