"""The send queue in tests: the tick hands due e-mails to SQS, the template's event source mappings (local/
event_sources.py) deliver them to the consumers; these helpers run the mail queues' mappings until nothing is
left, and report what the consumers did."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from typing import Any

import boto3

from local.event_sources import EventSources, SqsMapping

DISPATCH = "revenir-local-MailDispatchFunction"
MAIL_QUEUES = ("MailSendQueue", "CampaignPlanQueue")


def deliver(lambdas: Any, timeout: float = 60.0) -> list[dict[str, Any]]:
    """Deliver what waits on the send and planning queues (and what that enqueues) to their functions, as
    Lambda's pollers do; returns the bodies the send consumer received."""
    bodies: list[dict[str, Any]] = []
    lock = threading.Lock()

    killed: list[BaseException] = []

    def invoke(name: str, event: Any) -> Any:
        if name.endswith("MailSendFunction"):
            with lock:
                bodies.extend(json.loads(r["body"]) for r in event["Records"])
        try:
            return lambdas.invoke(name, event)
        except Exception:
            raise
        except BaseException as exc:  # the runtime ending an invocation (a test's stand-in for a timeout)
            killed.append(exc)
            raise RuntimeError("invocation killed") from exc

    sources = EventSources(lambdas.template, invoke, lambda service: boto3.client(service))  # type: ignore[call-overload]
    mappings = [m for m in sources.mappings if isinstance(m, SqsMapping) and m.source.source in MAIL_QUEUES]
    for mapping in mappings:  # synchronous polls: no batching window to wait out between them
        mapping.source = dataclasses.replace(mapping.source, batching_window=0)
    deadline = time.monotonic() + timeout
    try:
        while True:
            worked = False
            for mapping in mappings:
                worked = mapping.poll_once() or worked
                while mapping._inflight:  # the batch it handed to its pool
                    time.sleep(0.01)
            if not worked:
                break
            assert time.monotonic() < deadline, "the mail queues did not drain"
    finally:
        for mapping in mappings:
            mapping.stop()
    if killed:
        raise killed[0]
    return bodies


def dispatch(lambdas: Any) -> dict[str, int]:
    """One dispatcher tick, then the send queue delivered: the tick's report with what the consumers did to
    the lifecycle e-mails it queued (sent, suppressed, failed, cancelled, retried: back to pending)."""
    report = dict(lambdas.invoke(DISPATCH, {}))
    bodies = deliver(lambdas)
    client = boto3.client("dynamodb")
    table = next(iter(lambdas.template.tables))
    seen = set()
    for body in bodies:
        if body.get("kind") != "lifecycle" or (body["pk"], body["sk"]) in seen:
            continue
        seen.add((body["pk"], body["sk"]))
        item = client.get_item(TableName=table, Key={"pk": {"S": body["pk"]}, "sk": {"S": body["sk"]}},
                               ConsistentRead=True).get("Item") or {}
        status = item.get("status", {}).get("S", "")
        name = "retried" if status == "pending" else status
        if name in report:
            report[name] += 1
    return report
