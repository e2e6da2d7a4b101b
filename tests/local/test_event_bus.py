"""Custom EventBridge buses and their rules with SQS targets, created from the template by the local runtime
(local/template.py, local/emulator.create_resources): pattern routing as in AWS."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from moto import mock_aws

from local import emulator
from local.template import load

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: test-events
  Codes:
    Type: AWS::SQS::Queue
  Everything:
    Type: AWS::SQS::Queue
  CodesRule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern:
        source: [revenir]
        detail-type: [{prefix: "code."}]
      Targets:
        - Id: codes
          Arn: !GetAtt Codes.Arn
  EverythingRule:
    Type: AWS::Events::Rule
    Properties:
      Name: everything
      EventBusName: !Ref Bus
      EventPattern:
        source: [revenir]
      Targets:
        - Id: all
          Arn: !GetAtt Everything.Arn
"""


def test_buses_and_rules_are_read_and_route_to_their_queues(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    template = load(path)
    assert template.event_buses == ["test-events"]
    rules = {r.logical_id: r for r in template.event_rules}
    assert rules["EverythingRule"].name == "everything" and rules["EverythingRule"].bus == "test-events"
    assert json.loads(rules["CodesRule"].pattern) == {"source": ["revenir"], "detail-type": [{"prefix": "code."}]}
    assert rules["CodesRule"].targets == [{"Id": "codes", "Arn": "arn:aws:sqs:eu-west-3:123456789012:"
                                                                 "revenir-local-Codes"}]
    with mock_aws():
        def client(service: str) -> object:
            return boto3.client(service, region_name="eu-west-3")  # type: ignore[call-overload]

        emulator.create_resources(template, client)
        emulator.create_resources(template, client)  # a second start (restored state) changes nothing
        events = boto3.client("events", region_name="eu-west-3")
        for kind in ("code.redeemed", "guest.unsubscribed"):
            result = events.put_events(Entries=[{"Source": "revenir", "DetailType": kind, "EventBusName": "test-events",
                                                 "Detail": json.dumps({"type": kind})}])
            assert result["FailedEntryCount"] == 0
        events.put_events(Entries=[{"Source": "someone-else", "DetailType": "code.redeemed",
                                    "EventBusName": "test-events", "Detail": "{}"}])
        sqs = boto3.client("sqs", region_name="eu-west-3")

        def received(queue: str) -> list[str]:
            url = sqs.get_queue_url(QueueName=f"revenir-local-{queue}")["QueueUrl"]
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            return sorted(json.loads(m["Body"])["detail-type"] for m in messages)

        assert received("Codes") == ["code.redeemed"]
        assert received("Everything") == ["code.redeemed", "guest.unsubscribed"]
