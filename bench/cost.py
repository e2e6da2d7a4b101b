"""Monthly AWS cost at 10, 1,000 and 10,000 properties, from the operations each request makes.

The DynamoDB calls, SES sends and Step Functions starts of every request below are counted at the SDK by
running the real handlers on moto (as `make bench` does), so the figure moves when the code does. Units per
call, Lambda durations, the workload per property and the public list prices are written once, below.
`python -m bench.cost` prints the table that docs/cost.md quotes.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench import demo_stack, offline_aws

# ---------------------------------------------------------------- public list prices (USD, on demand)
# AWS list prices for US East (N. Virginia) as of 2025; Europe (Paris) is within ~10 % for these services.
# Check https://aws.amazon.com/<service>/pricing/ before quoting a figure.
PRICES = {
    "lambda_request": 0.20 / 1e6,  # per invocation
    "lambda_gb_second_x86": 0.0000166667,  # x86_64 (arm64: 0.0000133334)
    "http_api_request": 1.00 / 1e6,  # first 300 M per month
    "dynamodb_write_unit": 0.625 / 1e6,  # on-demand write request unit
    "dynamodb_read_unit": 0.125 / 1e6,  # on-demand read request unit
    "dynamodb_gb_month": 0.25,  # storage
    "dynamodb_pitr_gb_month": 0.20,  # continuous backups
    "ses_message": 0.10 / 1000,
    "sqs_request": 0.40 / 1e6,  # standard queue, per 64 KB request (send batches, the poller's receives/deletes)
    "sfn_transition": 0.025 / 1000,  # standard workflows
    "scheduler_invocation": 1.00 / 1e6,  # after 14 M free per month
    "scheduler_free": 14e6,
    "cognito_mau_essentials": 0.015,  # after 10,000 free MAUs
    "cognito_free_mau": 10_000,
    "cognito_m2m_client_month": 6.00,  # per app client with client credentials
    "cognito_m2m_token": 2.25 / 1000,  # per token request (first tier)
    "secrets_month": 0.40,  # per secret
    "secrets_call": 0.05 / 10_000,
    "cloudwatch_alarm_month": 0.10,  # standard resolution
    "cloudwatch_dashboard_month": 3.00,  # beyond 3 free dashboards
    "cloudwatch_logs_ingest_gb": 0.50,
    "cloudwatch_logs_gb_month": 0.03,
    "cloudwatch_metric_month": 0.30,  # custom metrics (EMF), first 10,000
    "xray_trace": 5.00 / 1e6,  # after 100,000 free traces per month
    "cloudfront_request": 0.0120 / 10_000,  # HTTPS, Europe
    "cloudfront_gb": 0.085,
}

# ---------------------------------------------------------------- one place for the units per call
# Request units a call costs on average for our items (< 1 KB, most reads eventually consistent; a write
# to an item with gsi1 keys also writes the index). Counted per SDK call, by operation.
DYNAMODB_UNITS: dict[str, tuple[float, float]] = {  # operation -> (read units, write units)
    "GetItem": (1.0, 0.0),  # consistent reads where it matters: 1 unit
    "Query": (1.0, 0.0),  # one page of small items
    "BatchGetItem": (4.0, 0.0),  # about 8 items, eventually consistent
    "TransactGetItems": (4.0, 0.0),
    "PutItem": (0.0, 1.5),
    "UpdateItem": (0.0, 1.5),
    "DeleteItem": (0.0, 1.5),
    "TransactWriteItems": (0.0, 8.0),  # about 4 items, transactions cost twice
    "BatchWriteItem": (0.0, 10.0),
}

# Lambda: memory (template) and billed duration per invocation (warm, ms; a cold start adds COLD_MS).
LAMBDA_MB = 512
LAMBDA_WARM_MS = 60
COLD_START_SHARE = 0.02
COLD_MS = 900
LOG_BYTES_PER_INVOCATION = 1500  # Powertools JSON lines (INFO)


@dataclass(frozen=True)
class Workload:
    """A month at one property (a gîte to a 15-room hotel: bookings from the booking engine)."""

    bookings: int = 40
    booking_writes_per_booking: float = 2.5  # created, modified, cancelled/checked in
    code_checks_per_booking: float = 3  # widget validations (some never book)
    redemptions_per_booking: float = 0.3
    carts_per_booking: float = 1.5  # abandoned-cart executions (half get a reminder)
    widget_views: int = 400  # public promo codes, gift shop, review summary
    campaign_mails: int = 150  # promo codes e-mailed to past guests
    gift_orders: float = 2
    reviews: float = 10
    hosts: int = 2
    admin_requests_per_host: int = 150


SIZES = (10, 1_000, 10_000)
#: Booking-engine vendors (one app client each) and their cached tokens (one an hour).
VENDORS = {10: 1, 1_000: 3, 10_000: 10}
SCHEDULE_INVOCATIONS_MONTH = 3 * 43_200 + 1_440  # three every-minute ticks + the 30-minute review ingest
GB_PER_PROPERTY = 0.02  # items of a property after a year (bookings, guests, e-mails, reviews)


def _environment() -> None:
    offline_aws()


def measure() -> dict[str, Counter[str]]:
    """SDK calls (dynamodb.X, sesv2.X, stepfunctions.X, …) of one request of each kind, real handlers."""
    _environment()
    from datetime import date, timedelta

    from local import emulator
    from local.template import ROOT
    from revenir.core import clock

    counts: dict[str, Counter[str]] = {}
    with demo_stack(stepfunctions={"execute_state_machine": False}) as stack:
        template, client, admin = stack.template, stack.client, stack.admin
        lambdas = stack.lambdas
        today = date.today()
        client.post("/v1/admin/properties/demo/promo-codes", headers=admin, json={
            "name": "Bench", "code": "BENCH", "discount": {"type": "percent", "percent": 10}, "max_uses": 1000,
            "max_uses_per_guest": 5, "valid_from": str(today - timedelta(days=1)),
            "valid_until": str(today + timedelta(days=30))})
        basket: dict[str, Any] = {
            "code": "BENCH", "arrival": str(today + timedelta(days=10)), "departure": str(today + timedelta(days=12)),
            "guest_email": "guest@example.com",
            "lines": [{"offer_id": "chambre-jardin", "amount": 17000, "currency": "EUR"}]}
        booking = json.loads(json.loads((ROOT / "events/booking_put.json").read_text(encoding="utf-8"))["body"])
        booking.update(arrival=str(today + timedelta(days=20)), departure=str(today + timedelta(days=23)))
        cart = json.loads(json.loads((ROOT / "events/cart_start.json").read_text(encoding="utf-8"))["body"])
        cart.update(arrival=booking["arrival"], departure=booking["departure"])

        def count(label: str, method: str, path: str, **kwargs: Any) -> None:
            emulator.CALLS.clear()
            response = client.open(path, method=method, **kwargs)
            assert response.status_code < 300, (label, response.get_data(as_text=True))
            counts[label] = Counter(emulator.CALLS)

        count("validate a code", "POST", "/v1/properties/demo/codes/validate", json=basket)
        count("redeem a code", "POST", "/v1/properties/demo/redemptions", headers=admin,
              json={**basket, "booking_id": "B-1"})
        count("booking upsert (new)", "PUT", "/v1/properties/demo/bookings/B-2", headers=admin, json=booking)
        count("booking upsert (changed)", "PUT", "/v1/properties/demo/bookings/B-2", headers=admin,
              json={**booking, "adults": 3})
        count("start a cart", "POST", "/v1/properties/demo/carts", headers=admin, json=cart)
        count("public promo codes", "GET", "/v1/properties/demo/promo-codes/public")
        count("gift shop", "GET", "/v1/properties/demo/gift-shop")
        count("review summary", "GET", "/v1/properties/demo/reviews/summary")
        count("admin: list promo codes", "GET", "/v1/admin/properties/demo/promo-codes", headers=admin)
        count("admin: list guests", "GET", "/v1/admin/properties/demo/guests", headers=admin)

        # the dispatcher, once the booking's e-mails are all due: calls per e-mail sent
        clock.travel(40 * 86400)
        emulator.CALLS.clear()
        fn = template.functions["MailDispatchFunction"]
        from tests import mail_queue  # the tick hands the e-mails to the send queue; its consumer sends them

        report = mail_queue.dispatch(lambdas)
        sent = max(1, int(report["sent"]) + int(report["suppressed"]))
        counts["send one lifecycle e-mail"] = Counter({k: v / sent for k, v in emulator.CALLS.items()
                                                       if not k.startswith("sqs.ReceiveMessage")
                                                       and not k.startswith("sqs.DeleteMessage")
                                                       and not k.startswith("sqs.GetQueue")})
        emulator.CALLS.clear()
        lambdas.invoke(fn.name, {"source": "aws.scheduler"})
        counts["an idle schedule tick"] = Counter(emulator.CALLS)
        clock.reset()
    return counts


def dynamodb_units(calls: Counter[str]) -> tuple[float, float]:
    reads = writes = 0.0
    for op, n in calls.items():
        if op.startswith("dynamodb."):
            r, w = DYNAMODB_UNITS.get(op.removeprefix("dynamodb."), (1.0, 1.0))
            reads, writes = reads + r * n, writes + w * n
    return reads, writes


def monthly_operations(workload: Workload, properties: int) -> dict[str, float]:
    """How many requests of each measured kind a month brings, for `properties` properties."""
    w, p = workload, properties
    booking_writes = w.bookings * w.booking_writes_per_booking * p
    return {
        "validate a code": w.bookings * w.code_checks_per_booking * p,
        "redeem a code": w.bookings * w.redemptions_per_booking * p,
        "booking upsert (new)": w.bookings * p,
        "booking upsert (changed)": booking_writes - w.bookings * p,
        "start a cart": w.bookings * w.carts_per_booking * p,
        "public promo codes": w.widget_views / 3 * p,
        "gift shop": w.widget_views / 3 * p,
        "review summary": w.widget_views / 3 * p,
        "admin: list promo codes": w.hosts * w.admin_requests_per_host / 2 * p,
        "admin: list guests": w.hosts * w.admin_requests_per_host / 2 * p,
        "send one lifecycle e-mail": (3 * w.bookings + w.campaign_mails + 3 * w.gift_orders) * p,
        "an idle schedule tick": SCHEDULE_INVOCATIONS_MONTH,
    }


def monthly_cost(counts: dict[str, Counter[str]], properties: int, workload: Workload = Workload()) -> dict[str, float]:
    ops = monthly_operations(workload, properties)
    http = sum(n for label, n in ops.items() if label not in ("send one lifecycle e-mail", "an idle schedule tick"))
    invocations = sum(ops.values()) + workload.bookings * workload.carts_per_booking * properties * 3  # cart steps
    reads = writes = 0.0
    for label, n in ops.items():
        r, wr = dynamodb_units(counts[label])
        reads, writes = reads + r * n, writes + wr * n
    seconds = invocations * (LAMBDA_WARM_MS + COLD_START_SHARE * COLD_MS) / 1000
    gb_seconds = seconds * LAMBDA_MB / 1024
    mails = ops["send one lifecycle e-mail"] + workload.bookings * workload.carts_per_booking * properties / 2
    transitions = workload.bookings * workload.carts_per_booking * properties * 8  # abandoned_cart.asl.json
    maus = workload.hosts * properties
    vendors = VENDORS.get(properties, 1)
    storage = GB_PER_PROPERTY * properties
    logs_gb = invocations * LOG_BYTES_PER_INVOCATION / 1e9
    alarms = 20 + 8  # template.yaml: an Errors alarm per function and 8 others
    p = PRICES
    return {
        "Lambda": invocations * p["lambda_request"] + gb_seconds * p["lambda_gb_second_x86"],
        "API Gateway (HTTP)": http * p["http_api_request"],
        "DynamoDB": reads * p["dynamodb_read_unit"] + writes * p["dynamodb_write_unit"]
        + storage * (p["dynamodb_gb_month"] + p["dynamodb_pitr_gb_month"]),
        "SES": mails * p["ses_message"],
        # the send queue: the producer's calls per e-mail measured, plus the poller's receive and delete per batch
        "SQS": ops["send one lifecycle e-mail"] * (sum(v for k, v in counts["send one lifecycle e-mail"].items()
                                                    if k.startswith("sqs.")) + 2 / 10) * p["sqs_request"],
        "Step Functions": transitions * p["sfn_transition"],
        "EventBridge Scheduler": max(0.0, SCHEDULE_INVOCATIONS_MONTH - p["scheduler_free"]) * p["scheduler_invocation"],
        "Cognito": max(0, maus - p["cognito_free_mau"]) * p["cognito_mau_essentials"]
        + vendors * (p["cognito_m2m_client_month"] + 720 * p["cognito_m2m_token"]),
        "Secrets Manager": 3 * p["secrets_month"] + invocations / 100 * p["secrets_call"],  # cached 5 min
        "CloudWatch": alarms * p["cloudwatch_alarm_month"] + p["cloudwatch_dashboard_month"]
        + 35 * p["cloudwatch_metric_month"]
        + logs_gb * (p["cloudwatch_logs_ingest_gb"] + p["cloudwatch_logs_gb_month"]),
        "X-Ray": max(0.0, invocations - 100_000) * p["xray_trace"],
        "CloudFront (back-office)": maus * 200 * p["cloudfront_request"] + maus * 0.02 * p["cloudfront_gb"],
    }


def report(counts: dict[str, Counter[str]]) -> list[str]:
    lines = ["Calls per request (counted on moto, real handlers)"]
    width = max(len(k) for k in counts)
    for label, calls in counts.items():
        r, w = dynamodb_units(calls)
        ops = ", ".join(f"{op} x{n:g}" for op, n in sorted(calls.items()))
        lines.append(f"  {label:<{width}}  RRU {r:>5.1f}  WRU {w:>5.1f}  {ops}")
    lines.append("")
    costs = {size: monthly_cost(counts, size) for size in SIZES}
    services = list(costs[SIZES[0]])
    header = f"{'monthly cost (USD)':<26}" + "".join(f"{f'{s:,} properties':>18}" for s in SIZES)
    lines += [header]
    for service in services:
        lines.append(f"{service:<26}" + "".join(f"{costs[s][service]:>18,.2f}" for s in SIZES))
    lines.append(f"{'total':<26}" + "".join(f"{sum(costs[s].values()):>18,.2f}" for s in SIZES))
    lines.append(f"{'per property':<26}" + "".join(f"{sum(costs[s].values()) / s:>18,.3f}" for s in SIZES))
    return lines


def run() -> None:
    print("\n".join(report(measure())))


if __name__ == "__main__":
    run()
