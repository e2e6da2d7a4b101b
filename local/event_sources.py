"""Lambda's event source mappings, locally: SQS queues and DynamoDB Streams polled for the functions that
template.yaml subscribes to them (SAM `Type: SQS` and `Type: DynamoDB` events).

moto stores queues and stream records but never delivers them to a function (its own mapping runs Docker).
Here one poller thread per mapping does what Lambda's poller does, with the template's settings:

- SQS: up to BatchSize messages (10 per receive) as Lambda's `Records`; a successful batch is deleted; a
  function error leaves the whole batch to reappear after the queue's VisibilityTimeout (moto counts receives
  and moves a message to the RedrivePolicy's dead-letter queue after maxReceiveCount, as SQS does); with
  `ReportBatchItemFailures` only the listed `batchItemFailures` stay. FilterCriteria drop what does not match
  (the message is deleted, as Lambda does). ScalingConfig.MaximumConcurrency bounds concurrent batches.
- DynamoDB Streams: records in order from the stream's shard (read from moto's shard object: its Streams API
  is not reachable here) (starting at LATEST when the runtime starts, so
  restored items are not replayed), BatchSize per invocation, FilterCriteria applied per record, a function
  error retries the same batch (MaximumRetryAttempts, BisectBatchOnFunctionError), `batchItemFailures`
  restarts from the first failed sequence number; when retries are exhausted the batch's description goes to
  the OnFailure queue and the shard moves on, as Lambda does.

Not emulated: SQS long polling (the poller sleeps between empty receives), shard splits (moto has one shard),
the 24-hour retention of stream records, per-mapping IAM (the runtime polls with its own credentials; SAM
grants the function's role the poller policy in AWS).

`drain()` waits until every mapping is idle with nothing left to deliver: tests and `POST
/_local/event-sources/drain` use it instead of sleeping.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local.template import ACCOUNT, REGION, STACK, EventSource, Template

Invoke = Callable[[str, Any], Any]  # (function name, event) -> result; raises on a function error
IDLE_SLEEP = 0.2


def _matches(filters: list[dict[str, Any]], record: dict[str, Any]) -> bool:
    if not filters:
        return True
    from moto.events.models import EventPattern

    return any(EventPattern(None, pattern).matches_event(record) for pattern in filters)  # type: ignore[arg-type]


def _failed_ids(result: Any) -> list[str] | None:
    """The `batchItemFailures` identifiers of a partial batch response, or None when there is none."""
    if isinstance(result, dict) and isinstance(result.get("batchItemFailures"), list):
        return [str(f.get("itemIdentifier")) for f in result["batchItemFailures"] if isinstance(f, dict)]
    return None


@dataclass
class MappingStats:
    invocations: int = 0
    records: int = 0
    errors: int = 0
    filtered: int = 0
    sent_to_failure_destination: int = 0
    last_error: str | None = None
    busy: int = 0
    backlog: int = 0  # what the last poll saw waiting (SQS: visible + in flight; streams: records behind)
    history: list[dict[str, Any]] = field(default_factory=list)  # the last invocations (newest last)


class _Mapping:
    def __init__(self, source: EventSource, template: Template, invoke: Invoke, client: Callable[[str], Any]):
        self.source = source
        self.fn = template.functions[source.function]
        self.invoke = invoke
        self.client = client
        self.stats = MappingStats()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name=f"esm-{source.function}-{source.event}", daemon=True)

    @property
    def name(self) -> str:
        return f"{self.source.function}.{self.source.event}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _record(self, count: int, error: str | None) -> None:
        with self._lock:
            self.stats.invocations += 1
            self.stats.records += count
            if error:
                self.stats.errors += 1
                self.stats.last_error = error
            self.stats.history = [*self.stats.history[-19:],
                                  {"records": count, "ok": error is None, "error": error}]

    def _call(self, event: dict[str, Any]) -> tuple[Any, str | None]:
        with self._lock:
            self.stats.busy += 1
        try:
            return self.invoke(self.fn.name, event), None
        except Exception as exc:
            return None, f"{getattr(exc, 'error_type', type(exc).__name__)}: {exc}"
        finally:
            with self._lock:
                self.stats.busy -= 1

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.poll_once()
            except Exception as exc:  # the emulator restarting, a queue not there yet: poll again later
                with self._lock:
                    self.stats.last_error = f"poller: {exc}"
                worked = False
            if not worked:
                self._stop.wait(IDLE_SLEEP)

    def poll_once(self) -> bool:
        raise NotImplementedError

    def idle(self) -> bool:
        raise NotImplementedError


class SqsMapping(_Mapping):
    def __init__(self, source: EventSource, template: Template, invoke: Invoke, client: Callable[[str], Any]):
        super().__init__(source, template, invoke, client)
        self.sqs = client("sqs")
        self.queue_name = f"{STACK}-{source.source}"
        self.queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{self.queue_name}"
        self._url: str | None = None
        self._pool = ThreadPoolExecutor(max_workers=source.maximum_concurrency or 2,
                                        thread_name_prefix=f"esm-{source.function}")
        self._inflight = 0
        self._receiving = 0

    @property
    def url(self) -> str:
        if self._url is None:
            self._url = str(self.sqs.get_queue_url(QueueName=self.queue_name)["QueueUrl"])
        return self._url

    def _receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.source.batching_window
        while len(messages) < self.source.batch_size:
            got = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=min(10, self.source.batch_size - len(messages)),
                AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=0,
            ).get("Messages", [])
            messages.extend(got)
            if not got and time.monotonic() >= deadline:
                break
            if not got:
                self._stop.wait(0.05)
        return messages

    def _record_of(self, message: dict[str, Any]) -> dict[str, Any]:
        attributes = {
            name: {"stringValue": value.get("StringValue"), "binaryValue": value.get("BinaryValue"),
                   "stringListValues": [], "binaryListValues": [], "dataType": value.get("DataType")}
            for name, value in (message.get("MessageAttributes") or {}).items()
        }
        return {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"], "attributes": message.get("Attributes", {}),
                "messageAttributes": attributes, "md5OfBody": message.get("MD5OfBody"),
                "eventSource": "aws:sqs", "eventSourceARN": self.queue_arn, "awsRegion": REGION}

    def _filter_view(self, record: dict[str, Any]) -> dict[str, Any]:
        try:  # Lambda filters on the body as JSON when it is JSON
            return {**record, "body": json.loads(record["body"])}
        except (TypeError, ValueError):
            return record

    def poll_once(self) -> bool:
        with self._lock:
            full = self._inflight >= (self.source.maximum_concurrency or 2)
            self._receiving += 1  # received messages are invisible: drain() must not call this idle meanwhile
        if full:
            with self._lock:
                self._receiving -= 1
            return False
        try:
            messages = self._receive()
            if not messages:
                return False
            records = []
            for message in messages:
                record = self._record_of(message)
                if _matches(self.source.filters, self._filter_view(record)):
                    records.append(record)
                else:
                    self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
                    with self._lock:
                        self.stats.filtered += 1
            if records:
                with self._lock:
                    self._inflight += 1
                self._pool.submit(self._deliver, records)
            return True
        finally:  # only once the batch counts as in flight
            with self._lock:
                self._receiving -= 1

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        try:
            result, error = self._call({"Records": records})
            self._record(len(records), error)
            if error is not None:
                return  # the batch reappears after the visibility timeout; redrive after maxReceiveCount
            failed = _failed_ids(result) if self.source.report_item_failures else None
            keep = set(failed or [])
            done = [r for r in records if r["messageId"] not in keep]
            for start in range(0, len(done), 10):
                entries = [{"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                           for i, r in enumerate(done[start:start + 10])]
                self.sqs.delete_message_batch(QueueUrl=self.url, Entries=entries)
        finally:
            with self._lock:
                self._inflight -= 1

    def idle(self) -> bool:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        waiting = int(attributes["ApproximateNumberOfMessages"])
        with self._lock:
            self.stats.backlog = waiting + int(attributes["ApproximateNumberOfMessagesNotVisible"])
            return waiting == 0 and self._inflight == 0 and self._receiving == 0

    def stop(self) -> None:
        super().stop()
        self._pool.shutdown(wait=False, cancel_futures=True)


class StreamMapping(_Mapping):
    """One shard (moto has one per table), read in order; a batch is retried until it succeeds or runs out."""

    def __init__(self, source: EventSource, template: Template, invoke: Invoke, client: Callable[[str], Any]):
        super().__init__(source, template, invoke, client)
        self.dynamodb = client("dynamodb")
        self.sqs = client("sqs")
        self.table_name = self._table_name(template, source.source)
        self.stream_arn: str | None = None
        self.position: int | None = None  # next sequence number to deliver
        self.attempts = 0

    @staticmethod
    def _table_name(template: Template, logical: str) -> str:
        from local.template import Resolver, parameter_overrides

        return Resolver(template.raw, parameter_overrides()).physical_name(logical)

    def _shard(self) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends[ACCOUNT][REGION].tables.get(self.table_name)
        return None if table is None else table.stream_shard

    def start(self) -> None:
        shard = self._shard()
        if shard is None:
            raise RuntimeError(f"{self.table_name} has no stream: give it a StreamSpecification in template.yaml")
        self.stream_arn = str(self.dynamodb.describe_table(TableName=self.table_name)["Table"]["LatestStreamArn"])
        if self.source.starting_position == "TRIM_HORIZON":
            self.position = shard.starting_sequence_number
        else:
            self.position = shard.starting_sequence_number + len(shard.items)
        super().start()

    def _records(self) -> list[dict[str, Any]]:
        """The shard's records from moto's stream shard itself: moto's DynamoDB Streams API answers 404 "Not yet
        implemented" to DescribeStream/GetShardIterator here (its requests are signed as "dynamodb")."""
        assert self.stream_arn is not None and self.position is not None
        shard = self._shard()
        if shard is None or self.position >= shard.starting_sequence_number + len(shard.items):
            return []
        got = json.loads(json.dumps(shard.get(self.position, self.source.batch_size), default=str))
        for record in got:
            record["eventSourceARN"] = self.stream_arn
            record["awsRegion"] = REGION
            created = record.get("dynamodb", {}).get("ApproximateCreationDateTime")
            if isinstance(created, str):  # Lambda sends epoch seconds
                record["dynamodb"]["ApproximateCreationDateTime"] = int(
                    datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp())
        return list(got)

    def poll_once(self) -> bool:
        records = self._records()
        if not records:
            return False
        assert self.position is not None
        last = int(records[-1]["dynamodb"]["SequenceNumber"])
        wanted = [r for r in records if _matches(self.source.filters, r)]
        with self._lock:
            self.stats.filtered += len(records) - len(wanted)
        if not wanted:
            self.position = last + 1
            return True
        batch = wanted
        result, error = self._call({"Records": batch})
        self._record(len(batch), error)
        failed = _failed_ids(result) if error is None and self.source.report_item_failures else None
        if error is None and not failed:
            self.position, self.attempts = last + 1, 0
            return True
        if failed:  # restart from the first failed record: those before it are done
            first_failed = min(int(f) for f in failed if f.isdigit()) if any(f.isdigit() for f in failed) \
                else int(batch[0]["dynamodb"]["SequenceNumber"])
            if first_failed > int(batch[0]["dynamodb"]["SequenceNumber"]):
                self.position, self.attempts = first_failed, 0
                return True
        self.attempts += 1
        limit = self.source.maximum_retry_attempts
        if limit >= 0 and self.attempts > limit:
            self._give_up(batch, error or "batchItemFailures")
            self.position, self.attempts = last + 1, 0
            return True
        self._stop.wait(min(0.05 * 2 ** min(self.attempts, 6), 2.0))  # Lambda backs off between retries
        return True

    def _give_up(self, batch: list[dict[str, Any]], error: str) -> None:
        """What Lambda sends an OnFailure destination: where the batch was, not the records themselves."""
        with self._lock:
            self.stats.sent_to_failure_destination += len(batch)
        if not self.source.on_failure:
            return
        url = self.sqs.get_queue_url(QueueName=f"{STACK}-{self.source.on_failure}")["QueueUrl"]
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps({
            "requestContext": {"functionArn": self.fn.arn, "condition": "RetryAttemptsExhausted",
                               "approximateInvokeCount": self.attempts},
            "responseContext": {"functionError": error},
            "DDBStreamBatchInfo": {"shardId": self._shard().id, "startSequenceNumber": first["SequenceNumber"],
                                   "endSequenceNumber": last["SequenceNumber"], "batchSize": len(batch),
                                   "streamArn": self.stream_arn},
        }))

    def idle(self) -> bool:
        shard = self._shard()
        end = shard.starting_sequence_number + len(shard.items) if shard is not None else 0
        with self._lock:
            self.stats.backlog = max(0, end - (self.position or end))
            return self.stats.backlog == 0 and self.stats.busy == 0


class EventSources:
    """Every enabled mapping of the template, polling in the background once started."""

    def __init__(self, template: Template, invoke: Invoke, client: Callable[[str], Any]):
        self.mappings: list[_Mapping] = []
        self._stopped = threading.Event()
        for source in template.event_sources:
            if not source.enabled:
                continue
            cls = SqsMapping if source.kind == "SQS" else StreamMapping
            self.mappings.append(cls(source, template, invoke, client))

    def start(self) -> None:
        for mapping in self.mappings:
            mapping.start()
        threading.Thread(target=self._trim_forever, name="esm-trim", daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()
        for mapping in self.mappings:
            mapping.stop()

    def trim(self) -> int:
        """Drop the stream records every mapping of their table has read (moto keeps them all in memory).
        Tables with a stream that nothing reads are emptied. Returns how many records were dropped."""
        from moto.dynamodb.models import dynamodb_backends

        from local import emulator

        readers: dict[str, list[StreamMapping]] = {}
        for mapping in self.mappings:
            if isinstance(mapping, StreamMapping):
                readers.setdefault(mapping.table_name, []).append(mapping)
        dropped = 0
        with emulator._holding():  # no write appends a record while the shard is renumbered
            for table in list(dynamodb_backends[ACCOUNT][REGION].tables.values()):
                shard = table.stream_shard
                if shard is None:
                    continue
                positions = [m.position for m in readers.get(table.name, [])]
                end = shard.starting_sequence_number + len(shard.items)
                upto = min([p for p in positions if p is not None], default=end) if positions else end
                count = max(0, min(upto, end) - shard.starting_sequence_number)
                if count:
                    del shard.items[:count]
                    shard.starting_sequence_number += count
                    dropped += count
        return dropped

    def _trim_forever(self) -> None:
        while not self._stopped.wait(2.0):
            try:
                self.trim()
            except Exception:  # the emulator stopping: nothing to keep small any more
                return

    def idle(self) -> bool:
        return all(mapping.idle() for mapping in self.mappings)

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until nothing is waiting or being delivered (twice in a row: a delivery may enqueue more).
        Messages hidden by a visibility timeout after a failure do not count as waiting."""
        deadline = time.monotonic() + timeout
        calm = 0
        while time.monotonic() < deadline:
            calm = calm + 1 if self.idle() else 0
            if calm >= 2:
                return True
            time.sleep(0.05)
        return False

    def stats(self) -> dict[str, Any]:
        out = {}
        for mapping in self.mappings:
            stats = mapping.stats
            out[mapping.name] = {"kind": mapping.source.kind, "source": mapping.source.source,
                                 "invocations": stats.invocations, "records": stats.records,
                                 "errors": stats.errors, "filtered": stats.filtered,
                                 "sent_to_failure_destination": stats.sent_to_failure_destination,
                                 "backlog": stats.backlog, "last_error": stats.last_error,
                                 "history": stats.history}
        return out
