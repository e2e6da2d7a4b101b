"""Campaign dispatch at scale (issue 16, item 5): 100,000 due messages drained at the SES account's rate.

Two figures:

1. Drain. 100,000 recipients on a send queue, consumed by MaximumConcurrency (5) consumers — threads here,
   each with its own Powertools BatchProcessor over batches of 10 — running the real consumer code
   (revenir.campaigns.sending.CampaignSender with revenir.mail.pacing's PacedMailer, Pacer and SendRate, and the
   real SesMailer). SES is a stand-in client with a fixed rate (BENCH_SES_RATE, default 2,000/s): GetAccount
   returns it, SendEmail enforces it with a one-second token bucket and answers Throttling beyond it, as SES
   does. Goal: the drain takes at most 1.1 x (messages / rate), with no throttling storm. Stand-ins, stated:
   the table is an in-memory CampaignStore (same method contract; moto costs milliseconds a call, 100,000
   messages would take most of an hour), the queue an in-memory SQS (visibility timeout 1 s), and the e-mail is
   composed once per language (the real composer costs CPU the Lambda instances have, a thread pool does not:
   its cost is the second figure's).
2. Calls per message, on the real path: a campaign to BENCH_CAMPAIGN_SAMPLE (200) guests through the local
   runtime's handlers on moto (tick, planner, send consumer, the SQS event source mappings): DynamoDB, SES and
   SQS calls per message, and the real composer's time per message (the CPU a consumer needs per send).
"""

from __future__ import annotations

import os
import queue
import random
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from bench import offline_aws

GOAL_DRAIN_RATIO = 1.1
CONSUMERS = 5  # template.yaml: MailSendFunction's ScalingConfig.MaximumConcurrency
BATCH = 10
VISIBILITY_SECONDS = 1.0


class Throttled(Exception):
    def __init__(self) -> None:
        super().__init__("Maximum sending rate exceeded.")
        self.response = {"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}}


class StandInSes:
    """SES v2 with a fixed maximum send rate: a token bucket of one second's sends; beyond it, Throttling."""

    def __init__(self, rate: float):
        self.rate = rate
        self._tokens = rate
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self.sent = 0
        self.throttled = 0
        self.account_reads = 0
        self.recipients: Counter[str] = Counter()

    def get_account(self) -> dict[str, Any]:
        self.account_reads += 1
        return {"SendQuota": {"MaxSendRate": self.rate, "Max24HourSend": 10_000_000.0}}

    def send_email(self, **kwargs: Any) -> dict[str, Any]:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.rate, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens < 1.0:
                self.throttled += 1
                raise Throttled()
            self._tokens -= 1.0
            self.sent += 1
            self.recipients[kwargs["Destination"]["ToAddresses"][0]] += 1
        return {"MessageId": f"m-{self.sent}"}


def _drain(messages: int, rate: float) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    from revenir.campaigns.composing import CampaignComposer
    from revenir.campaigns.sending import CampaignSender
    from revenir.campaigns.store import CampaignStore
    from revenir.core.signing import Signer
    from revenir.mail.pacing import PacedMailer, Pacer, SendRate
    from revenir.mail.sender import SesMailer

    calls: Counter[str] = Counter()

    class MemoryStore(CampaignStore):
        """CampaignStore's contract in memory; each method counts the DynamoDB call it makes for real."""

        def __init__(self) -> None:
            self.items: dict[str, dict[str, Any]] = {}
            self.lock = threading.Lock()
            self.campaign = {"campaign_id": "cp_bench", "property_id": "bench", "status": "sending", "name": "Bench",
                             "versions": {"en": {"subject": "s", "html": "h", "text": "t"}}}

        def get(self, property_id: str, campaign_id: str) -> dict[str, Any]:
            calls["GetItem"] += 1
            return self.campaign

        def recipient_context(self, property_id: str, campaign_id: str, email: str, profile_key: Any,
                              suppression_key: Any) -> dict[str, Any]:
            calls["BatchGetItem"] += 1
            with self.lock:
                return {"recipient": dict(self.items[email]), "profile": {"marketing_consent": True},
                        "suppressed": None}

        def claim(self, property_id: str, campaign_id: str, email: str, now_iso: str) -> dict[str, Any] | None:
            calls["UpdateItem"] += 1
            with self.lock:
                item = self.items[email]
                if item["status"] != "queued":
                    return None
                item |= {"status": "sending", "claimed_at": now_iso, "attempts": item.get("attempts", 0) + 1}
                return dict(item)

        def unclaim(self, property_id: str, campaign_id: str, email: str, error: str) -> None:
            calls["UpdateItem"] += 1
            with self.lock:
                assert self.items[email]["status"] == "sending"
                self.items[email]["status"] = "queued"

        def finish(self, property_id: str, campaign_id: str, email: str, status: str, fields: dict[str, Any],
                   extra: list[dict[str, Any]] | None = None) -> None:
            calls["TransactWriteItems"] += 1
            with self.lock:
                assert self.items[email]["status"] == "sending"
                self.items[email] |= {"status": status, **fields}

    class Guests:
        def property_context(self, property_id: str) -> Any:
            calls["Query"] += 1
            return type("Context", (), {"property_item": {"name": "Bench", "sender_email": "s@bench.example",
                                                          "time_zone": "Europe/Brussels"}})()

    class PrebuiltComposer(CampaignComposer):
        """The message built once per language (see the module docstring: the real cost is figure 2's)."""

        def compose(self, property_item: Any, campaign: Any, recipient: Any, promo: Any, to: str | None = None,
                    language: str | None = None) -> Any:
            return b"Subject: s\r\n\r\nbody", "en", None

    store = MemoryStore()
    emails = [f"guest{n:06d}@example.com" for n in range(messages)]
    for email in emails:
        store.items[email] = {"email": email, "status": "queued", "language": "en"}
    ses = StandInSes(rate)
    inbox: queue.Queue[dict[str, Any]] = queue.Queue()
    for n, email in enumerate(emails):
        inbox.put({"messageId": str(n), "receiptHandle": str(n), "attributes": {}, "messageAttributes": {},
                   "eventSource": "aws:sqs", "awsRegion": "eu-west-3", "eventSourceARN": "arn:bench",
                   "body": f'{{"c":"cp_bench","e":"{email}","kind":"campaign","p":"bench"}}'})
    retried = Counter[str]()
    done = threading.Event()

    def redeliver(records: list[dict[str, Any]]) -> None:
        def later() -> None:
            for record in records:
                inbox.put(record)
        threading.Timer(VISIBILITY_SECONDS, later).start()

    def consumer() -> None:
        mailer = PacedMailer(SesMailer(ses), Pacer(SendRate(ses), 1 / CONSUMERS))
        processor = BatchProcessor(event_type=EventType.SQS)
        while not done.is_set():
            records = []
            try:
                records.append(inbox.get(timeout=0.05))
                while len(records) < BATCH:
                    records.append(inbox.get_nowait())
            except queue.Empty:
                if not records:
                    continue
            sender = CampaignSender(store, Guests(), None, mailer, PrebuiltComposer(Signer("b" * 32), "https://x"))  # type: ignore[arg-type]

            def handle(record: Any, sender: CampaignSender = sender) -> str:
                body = record.json_body  # as functions/campaigns/app.py reads it
                return sender.send(body["p"], body["c"], body["e"])

            result = process_partial_response(event={"Records": records}, record_handler=handle,
                                              processor=processor)
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            if failed:
                retried["records"] += len(failed)
                redeliver([r for r in records if r["messageId"] in failed])

    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "bench")
    started = time.perf_counter()
    threads = [threading.Thread(target=consumer, daemon=True) for _ in range(CONSUMERS)]
    for thread in threads:
        thread.start()
    while True:
        with store.lock:
            left = sum(1 for i in store.items.values() if i["status"] in ("queued", "sending"))
        if not left:
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    done.set()
    for thread in threads:
        thread.join(5)
    statuses = Counter(i["status"] for i in store.items.values())
    duplicates = sum(1 for n in ses.recipients.values() if n > 1)
    return {"elapsed": elapsed, "statuses": statuses, "ses": ses, "calls": calls, "retried": retried["records"],
            "duplicates": duplicates}


def _calls_on_the_real_path(recipients: int) -> dict[str, Any]:
    """A campaign through the local runtime's handlers on moto: calls per message, and the composer's cost."""
    import boto3
    from moto import mock_aws
    from werkzeug.test import Client

    from local import demo, emulator, fastdb, outbox
    from local.gateway import Gateway
    from local.lambdas import LocalLambdas
    from local.template import load
    from revenir.campaigns.composing import CampaignComposer
    from revenir.core import clock
    from revenir.core.signing import Signer
    from tests import mail_queue

    emulator.serialise_in_process_requests()
    fastdb.install()  # as `make run` does: moto's transactions otherwise copy the whole table
    with mock_aws():
        template = load()
        emulator.create_resources(template, lambda service: boto3.client(service))  # type: ignore[call-overload]
        lambdas = LocalLambdas(template)
        emulator.route_lambda_invocations(lambdas.invoke)
        gateway = Gateway(template, lambdas)
        token = demo.seed(gateway, sample_data=False)
        api = Client(gateway)
        admin = {"Authorization": f"Bearer {token}"}
        today = clock.local_today("Europe/Brussels")
        for n in range(recipients):
            booking = {"first_name": f"Guest{n}", "last_name": "Bench", "email": f"g{n}@example.com",
                       "language": random.choice(["fr", "en", "nl", "de"]), "arrival": str(today - timedelta(days=60)),
                       "departure": str(today - timedelta(days=58)),
                       "adults": 2, "children": 0, "offer_ids": [], "channel": "direct", "marketing_consent": True}
            api.put(f"/v1/properties/demo/bookings/BENCH-{n}", json=booking, headers=admin)
        versions = {lang: {"subject": "{{ guest.first_name }}, revenez", "html": "<p>Bonjour {{ guest.first_name }}"
                           "</p><p><a href=\"{{ unsubscribe_url }}\">x</a></p>", "text": "Bonjour"}
                    for lang in ("fr", "en", "nl", "de")}
        campaign: dict[str, Any] = dict(api.post("/v1/admin/properties/demo/campaigns", headers=admin,
                                                 json={"name": "Bench", "versions": versions}).json or {})
        api.post(f"/v1/admin/properties/demo/campaigns/{campaign['campaign_id']}/schedule", headers=admin, json={})
        before = len(outbox.messages())
        emulator.CALLS.clear()
        lambdas.invoke(mail_queue.DISPATCH, {})
        mail_queue.deliver(lambdas, timeout=600)
        sent = len(outbox.messages()) - before
        counted = dict(emulator.CALLS)
    per = {service: sum(n for op, n in counted.items() if op.startswith(service + ".")) / max(sent, 1)
           for service in ("dynamodb", "sesv2", "sqs")}
    composer = CampaignComposer(Signer("b" * 32), "https://api.revenir.example")
    prop = {"name": "Le Moulin", "sender_email": "s@revenir.example", "default_language": "fr"}
    started = time.perf_counter()
    for n in range(200):
        composer.compose(prop, {**campaign, "versions": versions}, {"email": f"g{n}@example.com", "first_name": "G",
                                                                  "language": "fr"}, None)
    compose_ms = 1000 * (time.perf_counter() - started) / 200
    return {"sent": sent, "per": per, "ops": counted, "compose_ms": compose_ms}


def run() -> None:
    offline_aws()
    messages = int(os.environ.get("BENCH_CAMPAIGN_MESSAGES", "100000"))
    rate = float(os.environ.get("BENCH_SES_RATE", "2000"))
    sample = int(os.environ.get("BENCH_CAMPAIGN_SAMPLE", "200"))
    drained = _drain(messages, rate)
    ideal = messages / rate
    ratio = drained["elapsed"] / ideal
    ses = drained["ses"]
    print(f"Campaign dispatch: {messages:,} messages, {CONSUMERS} consumers (MaximumConcurrency) at rate / "
          f"{CONSUMERS} each, stand-in SES at {rate:,.0f}/s")
    print(f"  drain / (messages / rate)             {drained['elapsed']:.1f} s / {ideal:.1f} s = {ratio:.2f}  "
          f"(goal <= {GOAL_DRAIN_RATIO})" + ("" if ratio <= GOAL_DRAIN_RATIO else "  GOAL MISSED"))
    exact = drained["statuses"].get("sent", 0) == messages and drained["duplicates"] == 0 and ses.sent == messages
    print(f"  sent once each                        {ses.sent:,} sent, {drained['duplicates']} duplicates, "
          f"statuses {dict(drained['statuses'])}" + ("" if exact else "  GOAL MISSED"))
    storm = ses.throttled <= messages * 0.01
    print(f"  SES throttling                        {ses.throttled} Throttling answers, {drained['retried']} records "
          f"redelivered, {ses.account_reads} GetAccount reads" + ("" if storm else "  GOAL MISSED"))
    per_message = {k: round(v / messages, 2) for k, v in sorted(drained["calls"].items())}
    print(f"  DynamoDB calls per message (store)    {sum(drained['calls'].values()) / messages:.2f} {per_message}")
    real = _calls_on_the_real_path(sample)
    print(f"  real path on moto, {real['sent']} guests           DynamoDB {real['per']['dynamodb']:.2f}, SES "
          f"{real['per']['sesv2']:.2f}, SQS {real['per']['sqs']:.2f} calls per message")
    print(f"  composing one e-mail (real composer)  {real['compose_ms']:.1f} ms: at {rate:,.0f}/s the consumers "
          f"need {rate * real['compose_ms'] / 1000:.1f} CPU-seconds per second (each Lambda instance has its own)")
