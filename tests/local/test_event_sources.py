"""Lambda's event source mappings, locally (local/event_sources.py): SQS and DynamoDB Streams delivered to the
function the template subscribes, with batches, filters, partial failures, retries and dead letters."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local import emulator, fastdb
from local.event_sources import EventSources
from local.template import load

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: esm-test
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}, {AttributeName: SK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}, {AttributeName: SK, KeyType: RANGE}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  Dead:
    Type: AWS::SQS::Queue
  Work:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 1
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dead.Arn, maxReceiveCount: 2}
  StreamFailures:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/x/
      Handler: app.work
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Work.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria:
              Filters: [{Pattern: '{"body": {"kind": ["job"]}}'}]
  Follower:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/x/
      Handler: app.follow
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: LATEST
            BatchSize: 3
            MaximumRetryAttempts: 1
            FunctionResponseTypes: [ReportBatchItemFailures]
            DestinationConfig: {OnFailure: {Destination: !GetAtt StreamFailures.Arn}}
            FilterCriteria:
              Filters: [{Pattern: '{"dynamodb": {"Keys": {"SK": {"S": [{"prefix": "GUEST#"}]}}}}'}]
"""


class Functions:
    """The two functions: record what they receive; fail what they are told to."""

    def __init__(self) -> None:
        self.calls: dict[str, list[dict[str, Any]]] = {"Worker": [], "Follower": []}
        self.fail_bodies: set[str] = set()  # SQS: reported as batchItemFailures
        self.crash_keys: set[str] = set()  # streams: the whole invocation raises
        self.partial_keys: set[str] = set()  # streams: reported as batchItemFailures (once each)
        self.lock = threading.Lock()

    def invoke(self, name: str, event: Any) -> Any:
        logical = "Worker" if name.endswith("Worker") else "Follower"
        with self.lock:
            self.calls[logical].append(event)
        records = event["Records"]
        if logical == "Worker":
            failed = [r["messageId"] for r in records if json.loads(r["body"])["id"] in self.fail_bodies]
            return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}
        keys = [r["dynamodb"]["Keys"]["SK"]["S"] for r in records]
        if any(k in self.crash_keys for k in keys):
            raise RuntimeError("boom")
        for record, key in zip(records, keys, strict=True):
            if key in self.partial_keys:
                self.partial_keys.discard(key)
                return {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    def delivered(self, logical: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for call in self.calls[logical] for r in call["Records"]]


@pytest.fixture
def system(tmp_path: Path) -> Iterator[tuple[EventSources, Functions, Any]]:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    fastdb.install()
    with mock_aws():
        template = load(path)
        def client(service: str) -> Any:
            return boto3.client(service, region_name="eu-west-3")  # type: ignore[call-overload]
        emulator.create_resources(template, client)
        functions = Functions()
        sources = EventSources(template, functions.invoke, client)
        sources.start()
        try:
            yield sources, functions, client
        finally:
            sources.stop()


def _url(client: Any, logical: str) -> str:
    return str(client("sqs").get_queue_url(QueueName=f"revenir-local-{logical}")["QueueUrl"])


def test_the_template_s_settings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    template = load(path)
    sources = {s.function: s for s in template.event_sources}
    jobs, changes = sources["Worker"], sources["Follower"]
    assert (jobs.kind, jobs.source, jobs.batch_size, jobs.report_item_failures) == ("SQS", "Work", 5, True)
    assert jobs.filters == [{"body": {"kind": ["job"]}}]
    assert (changes.kind, changes.source, changes.batch_size, changes.maximum_retry_attempts,
            changes.on_failure) == ("DynamoDB", "Table", 3, 1, "StreamFailures")
    work = next(q for q in template.queue_specs if q.logical_id == "Work")
    assert work.attributes["VisibilityTimeout"] == "1"
    assert json.loads(work.attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:eu-west-3:123456789012:revenir-local-Dead", "maxReceiveCount": 2}


def test_sqs_batches_filter_and_delete_only_what_succeeded(system: Any) -> None:
    sources, functions, client = system
    sqs, url = client("sqs"), _url(client, "Work")
    functions.fail_bodies = {"j3"}
    for i in range(7):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "job", "id": f"j{i}"}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "noise", "id": "n"}))
    assert sources.drain(10)
    first = sorted({json.loads(r["body"])["id"] for r in functions.delivered("Worker")})
    assert first == [f"j{i}" for i in range(7)]  # the filtered message never reached the function
    assert all(len(call["Records"]) <= 5 for call in functions.calls["Worker"])
    record = functions.delivered("Worker")[0]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"].endswith(":revenir-local-Work")
    # j3 failed: it alone comes back after the visibility timeout, then goes to the dead-letter queue
    functions.fail_bodies = {"j3"}
    dead = _url(client, "Dead")
    for _ in range(100):
        moved = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["ApproximateNumberOfMessages"])
        if moved["Attributes"]["ApproximateNumberOfMessages"] == "1":
            break
        threading.Event().wait(0.1)
    got = sqs.receive_message(QueueUrl=dead).get("Messages", [])
    assert [json.loads(m["Body"])["id"] for m in got] == ["j3"]
    ids = [json.loads(r["body"])["id"] for r in functions.delivered("Worker")]
    assert ids.count("j3") == 2 and ids.count("j1") == 1  # retried alone, never the others
    assert sources.stats()["Worker.Jobs"]["filtered"] == 1


def test_streams_deliver_changes_in_order_with_filters(system: Any) -> None:
    sources, functions, client = system
    dynamodb = client("dynamodb")
    for i in range(5):
        dynamodb.put_item(TableName="esm-test", Item={"PK": {"S": "P#1"}, "SK": {"S": f"GUEST#{i}"}})
        dynamodb.put_item(TableName="esm-test", Item={"PK": {"S": "P#1"}, "SK": {"S": f"OTHER#{i}"}})
    dynamodb.update_item(TableName="esm-test", Key={"PK": {"S": "P#1"}, "SK": {"S": "GUEST#0"}},
                         UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "1"}})
    dynamodb.delete_item(TableName="esm-test", Key={"PK": {"S": "P#1"}, "SK": {"S": "GUEST#1"}})
    assert sources.drain(10)
    got = [(r["eventName"], r["dynamodb"]["Keys"]["SK"]["S"]) for r in functions.delivered("Follower")]
    assert got == [("INSERT", f"GUEST#{i}") for i in range(5)] + [("MODIFY", "GUEST#0"), ("REMOVE", "GUEST#1")]
    modify = functions.delivered("Follower")[5]["dynamodb"]
    assert modify["NewImage"]["n"] == {"N": "1"} and "n" not in modify["OldImage"]
    assert all(len(call["Records"]) <= 3 for call in functions.calls["Follower"])


def test_a_cancelled_transaction_leaves_no_stream_record(system: Any) -> None:
    sources, functions, client = system
    dynamodb = client("dynamodb")
    dynamodb.put_item(TableName="esm-test", Item={"PK": {"S": "P#1"}, "SK": {"S": "GUEST#exists"}})
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "esm-test", "Item": {"PK": {"S": "P#1"}, "SK": {"S": "GUEST#phantom"}}}},
            {"Put": {"TableName": "esm-test", "Item": {"PK": {"S": "P#1"}, "SK": {"S": "GUEST#exists"}},
                     "ConditionExpression": "attribute_not_exists(PK)"}},
        ])
    assert sources.drain(10)
    assert [r["dynamodb"]["Keys"]["SK"]["S"] for r in functions.delivered("Follower")] == ["GUEST#exists"]


def test_stream_partial_failure_restarts_at_the_failed_record_and_crashes_go_to_the_failure_queue(
        system: Any) -> None:
    sources, functions, client = system
    dynamodb = client("dynamodb")
    functions.partial_keys = {"GUEST#b"}
    functions.crash_keys = {"GUEST#z"}
    for key in ("GUEST#a", "GUEST#b", "GUEST#c"):
        dynamodb.put_item(TableName="esm-test", Item={"PK": {"S": "P#1"}, "SK": {"S": key}})
    assert sources.drain(10)
    keys = [r["dynamodb"]["Keys"]["SK"]["S"] for r in functions.delivered("Follower")]
    assert keys == ["GUEST#a", "GUEST#b", "GUEST#c", "GUEST#b", "GUEST#c"]  # a is never delivered twice
    dynamodb.put_item(TableName="esm-test", Item={"PK": {"S": "P#1"}, "SK": {"S": "GUEST#z"}})
    dynamodb.put_item(TableName="esm-test", Item={"PK": {"S": "P#1"}, "SK": {"S": "GUEST#after"}})
    assert sources.drain(10)
    keys = [r["dynamodb"]["Keys"]["SK"]["S"] for r in functions.delivered("Follower")][5:]
    assert keys.count("GUEST#z") == 2  # the first try and MaximumRetryAttempts: 1
    assert keys[-1] == "GUEST#after"  # the shard moved on
    failures = client("sqs").receive_message(QueueUrl=_url(client, "StreamFailures")).get("Messages", [])
    info = json.loads(failures[0]["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["DDBStreamBatchInfo"]["batchSize"] >= 1


def test_records_every_mapping_has_read_are_dropped_and_numbering_goes_on(system: Any) -> None:
    sources, functions, client = system
    dynamodb = client("dynamodb")
    for key in ("GUEST#1", "GUEST#2"):
        dynamodb.put_item(TableName="esm-test", Item={"PK": {"S": "P#1"}, "SK": {"S": key}})
    assert sources.drain(10)
    assert sources.trim() == 2
    dynamodb.put_item(TableName="esm-test", Item={"PK": {"S": "P#1"}, "SK": {"S": "GUEST#3"}})
    assert sources.drain(10)
    records = functions.delivered("Follower")
    assert [r["dynamodb"]["Keys"]["SK"]["S"] for r in records] == ["GUEST#1", "GUEST#2", "GUEST#3"]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(set(numbers))  # still increasing after the trim
