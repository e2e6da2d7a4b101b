"""Lifecycle e-mail dispatch at scale: 100,000 scheduled messages spread over a year, 1,000 of them due.

Prints the items a tick reads divided by the items due (goal <= 1.1: the queue index is sorted by send time,
so a tick never reads what is not due), the time to dispatch the due messages through the real dispatcher
on moto (an emulator's time: compare it only with other figures of the same run), and the DynamoDB and SES
calls per message. BENCH_MAIL_SCHEDULED and BENCH_MAIL_DUE change the sizes.
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import offline_aws

GOAL_READ_RATIO = 1.05  # issue 14: items read per due item, with the queue shards


def _environment() -> None:
    offline_aws()


def run() -> None:
    _environment()
    import boto3
    from moto import mock_aws
    from werkzeug.test import Client

    from local import demo, emulator, fastdb
    from local.gateway import Gateway
    from local.lambdas import LocalLambdas
    from local.template import load
    from revenir.core import clock
    from revenir.core.signing import Signer
    from revenir.guests import keys
    from revenir.guests.dispatch import Composer, Dispatcher
    from revenir.guests.store import GuestRepository, queue_sort_key
    from revenir.mail.sender import SesMailer
    from revenir.table import queues
    from revenir.table.dynamodb import serialize

    scheduled = int(os.environ.get("BENCH_MAIL_SCHEDULED", "100000"))
    due = int(os.environ.get("BENCH_MAIL_DUE", "1000"))
    emulator.serialise_in_process_requests()
    fastdb.install()  # as `make run` does: moto's transactions otherwise copy every table, stream included
    with mock_aws():
        template = load()
        emulator.create_resources(template, lambda service: boto3.client(service))  # type: ignore[call-overload]
        gateway = Gateway(template, LocalLambdas(template))
        demo.seed(gateway, sample_data=False)
        Client(gateway)
        table = next(iter(template.tables))
        client = boto3.client("dynamodb")
        # 40 more properties (copies of the demo property), so the queue's shards are all in use
        demo_key = {"pk": {"S": "PROPERTY#demo"}, "sk": {"S": "PROPERTY"}}
        demo_item = client.get_item(TableName=table, Key=demo_key)["Item"]
        properties = ["demo"] + [f"bench-{n:02d}" for n in range(40)]
        for pid in properties[1:]:
            client.put_item(TableName=table, Item={**demo_item, "pk": {"S": f"PROPERTY#{pid}"},
                                                   "property_id": {"S": pid}})
        now = datetime.now(UTC).replace(microsecond=0)
        rng = random.Random(42)
        items: list[dict[str, Any]] = []
        for n in range(scheduled):
            is_due = n < due
            send_at = now - timedelta(seconds=rng.randint(1, 3600)) if is_due else now + timedelta(
                seconds=rng.randint(120, 365 * 86400))
            email, bid, pid = f"guest{n}@example.com", f"B{n:06d}", properties[n % len(properties)]
            at = clock.iso(send_at)
            items.append({"pk": keys.guest_pk(pid, email), "sk": keys.message_sk(bid, "thanks"),
                          "property_id": pid, "booking_id": bid, "template_id": "thanks", "email": email,
                          "send_at": at, "status": "pending", "gsi1pk": queues.queue_pk(keys.MAIL_QUEUE, pid),
                          "gsi1sk": queue_sort_key(at, pid, email, bid, "thanks")})
            if is_due:
                day = (now - timedelta(days=2)).date()
                items.append({"pk": keys.booking_pk(pid, bid), "sk": keys.BOOKING_SK, "booking_id": bid,
                              "property_id": pid, "first_name": "Guest", "last_name": str(n), "email": email,
                              "arrival": str(day - timedelta(days=2)), "departure": str(day), "adults": 2,
                              "children": 0, "offer_ids": [], "channel": "direct", "rate_includes": [],
                              "status": "checked_out", "marketing_consent": False, "tags": [],
                              "created_at": clock.iso(now), "updated_at": clock.iso(now), "version": 1})
        started = time.perf_counter()
        for start in range(0, len(items), 25):
            client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": serialize(i)}}
                                                          for i in items[start:start + 25]]})
        load_s = time.perf_counter() - started

        repository = GuestRepository(client, table)
        composer = Composer(Signer("bench-signing-secret-0123456789"), "https://api.revenir.example")
        dispatcher = Dispatcher(repository, SesMailer(boto3.client("sesv2"), "revenir-dev"), composer)
        emulator.CALLS.clear()
        started = time.perf_counter()
        read = sent = 0
        while True:
            report = dispatcher.tick(max_messages=500)
            read += report.read
            sent += report.sent
            if report.read == 0:
                break
        dispatch_s = time.perf_counter() - started
        dynamodb_calls = sum(n for op, n in emulator.CALLS.items() if op.startswith("dynamodb."))
        ses_calls = sum(n for op, n in emulator.CALLS.items() if op.startswith("sesv2."))
    ratio = read / max(due, 1)
    print(f"Lifecycle e-mail dispatch: {scheduled:,} messages scheduled over a year for {len(properties)} properties "
          f"on {queues.SHARDS} queue shards, {due:,} due now (loaded in {load_s:.1f} s)")
    print(f"  items read by the ticks / items due   {read:,} / {due:,} = {ratio:.2f}  (goal <= {GOAL_READ_RATIO})"
          + ("" if ratio <= GOAL_READ_RATIO else "  GOAL MISSED"))
    per_message = 1000 * dispatch_s / max(sent, 1)
    print(f"  dispatch of the {sent:,} due messages   {dispatch_s:.1f} s on moto, {per_message:.1f} ms per message")
    print(f"  calls per message                     DynamoDB {dynamodb_calls / max(sent, 1):.2f}, "
          f"SES {ses_calls / max(sent, 1):.2f}")
