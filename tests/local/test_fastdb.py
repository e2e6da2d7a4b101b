"""The local DynamoDB's transactions and queries cost what they touch, and behave exactly as before."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local import fastdb

TABLE = "fastdb-test"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    fastdb.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-3")
        client.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "gpk", "gsk")],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[{"IndexName": "gsi1", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
                {"AttributeName": "gpk", "KeyType": "HASH"}, {"AttributeName": "gsk", "KeyType": "RANGE"}]}])
        yield client


def put(client: Any, pk: str, sk: str, **attrs: str) -> None:
    item = {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attrs.items()}}
    client.put_item(TableName=TABLE, Item=item)


def gsi(client: Any, gpk: str) -> list[str]:
    found = client.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="gpk = :g",
                         ExpressionAttributeValues={":g": {"S": gpk}})["Items"]
    return [i["sk"]["S"] for i in found]


def everything(client: Any) -> list[dict[str, Any]]:
    items = client.scan(TableName=TABLE)["Items"]
    return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def test_gsi_queries_follow_puts_updates_deletes_and_batch_writes(dynamodb: Any) -> None:
    put(dynamodb, "a", "1", gpk="G", gsk="2")
    put(dynamodb, "a", "2", gpk="G", gsk="1")
    put(dynamodb, "b", "1", gpk="H", gsk="1")
    assert gsi(dynamodb, "G") == ["2", "1"]  # sorted by the index's range key
    dynamodb.update_item(TableName=TABLE, Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                         UpdateExpression="SET gpk = :h", ExpressionAttributeValues={":h": {"S": "H"}})
    assert gsi(dynamodb, "G") == ["2"] and sorted(gsi(dynamodb, "H")) == ["1", "1"]
    dynamodb.update_item(TableName=TABLE, Key={"pk": {"S": "a"}, "sk": {"S": "2"}}, UpdateExpression="REMOVE gpk")
    assert gsi(dynamodb, "G") == []
    dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": "b"}, "sk": {"S": "1"}})
    assert gsi(dynamodb, "H") == ["1"]
    dynamodb.batch_write_item(RequestItems={TABLE: [
        {"PutRequest": {"Item": {"pk": {"S": f"c{n}"}, "sk": {"S": "x"}, "gpk": {"S": "B"}, "gsk": {"S": str(n)}}}}
        for n in range(5)]})
    assert len(gsi(dynamodb, "B")) == 5
    assert [i["sk"]["S"] for i in dynamodb.query(
        TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})["Items"]] \
        == ["1", "2"]


def test_a_cancelled_transaction_restores_exactly_what_it_touched(dynamodb: Any) -> None:
    put(dynamodb, "a", "1", gpk="G", gsk="1", n="1")
    put(dynamodb, "a", "2", gpk="G", gsk="2")
    before = everything(dynamodb)
    assert gsi(dynamodb, "G") == ["1", "2"]
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as cancelled:
        dynamodb.transact_write_items(TransactItems=[
            {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
                        "UpdateExpression": "SET n = :n, gpk = :h",
                        "ExpressionAttributeValues": {":n": {"S": "2"}, ":h": {"S": "H"}}}},
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "new"}, "sk": {"S": "1"}, "gpk": {"S": "G"},
                                                  "gsk": {"S": "0"}}}},
            {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "a"}, "sk": {"S": "2"}}}},
            {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "a"}, "sk": {"S": "3"}},
                                "ConditionExpression": "attribute_exists(pk)"}},
        ])
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert everything(dynamodb) == before
    assert gsi(dynamodb, "G") == ["1", "2"] and gsi(dynamodb, "H") == []


def test_a_committed_transaction_applies_every_item(dynamodb: Any) -> None:
    put(dynamodb, "a", "1", n="1")
    dynamodb.transact_write_items(TransactItems=[
        {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}, "UpdateExpression": "SET gpk = :g,"
                    " gsk = :s", "ConditionExpression": "n = :n",
                    "ExpressionAttributeValues": {":g": {"S": "G"}, ":s": {"S": "9"}, ":n": {"S": "1"}}}},
        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "b"}, "sk": {"S": "1"}, "gpk": {"S": "G"},
                                              "gsk": {"S": "1"}}}},
    ])
    found = dynamodb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="gpk = :g",
                           ExpressionAttributeValues={":g": {"S": "G"}})["Items"]
    assert [(i["pk"]["S"], i["gsk"]["S"]) for i in found] == [("b", "1"), ("a", "9")]


def test_transaction_time_does_not_grow_with_the_table(dynamodb: Any) -> None:
    def one_transaction(n: int) -> float:
        started = time.perf_counter()
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"t{n}"}, "sk": {"S": "1"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}}])
        return time.perf_counter() - started

    small = min(one_transaction(n) for n in range(20))
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends["123456789012"]["eu-west-3"].tables[TABLE]
    for n in range(20_000):  # straight into the backend: the test is about the transaction, not the load
        table.put_item({"pk": {"S": f"bulk{n}"}, "sk": {"S": "1"}, "gpk": {"S": f"g{n % 50}"}, "gsk": {"S": "x"}})
    large = min(one_transaction(100 + n) for n in range(20))
    assert large < small * 3 + 0.002, (small, large)  # moto's whole-table copy: ~100x slower at 20,000 items
