"""What `make run` keeps: every item of every table, secrets and the clock, written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from local import state

TABLE = "state-test"


def make_table() -> Any:
    client = boto3.client("dynamodb", region_name="eu-west-3")
    client.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    return client


def everything(client: Any) -> list[dict[str, Any]]:
    return sorted(client.scan(TableName=TABLE)["Items"], key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def test_a_snapshot_restores_every_item_exactly(tmp_path: Path) -> None:
    with mock_aws():
        client = make_table()
        client.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "12.5"},
                                               "m": {"M": {"l": {"L": [{"S": "x"}, {"BOOL": True}]}}},
                                               "ss": {"SS": ["b", "a"]}, "nul": {"NULL": True}})
        client.put_item(TableName=TABLE, Item={"pk": {"S": "b"}, "sk": {"S": "2"}, "bin": {"B": b"\x00\x01"}})
        saved = everything(client)
        state.write(state.capture({"secret": "s3cr3t"}, 86400.0), tmp_path)
    assert not list(tmp_path.glob("*.tmp"))  # written to a temporary file, then renamed
    with mock_aws():
        client = make_table()
        loaded = state.read(tmp_path)
        assert loaded is not None
        assert state.restore_tables(loaded) == 2
        assert everything(client) == saved
        assert loaded["secrets"] == {"secret": "s3cr3t"} and loaded["clock_offset"] == 86400.0
    state.clear(tmp_path)
    assert state.read(tmp_path) is None


def test_the_snapshotter_writes_only_when_something_changed(tmp_path: Path) -> None:
    changes = {"n": 0}
    taken: list[int] = []

    def take() -> dict[str, Any]:
        taken.append(changes["n"])
        return {"format": state.FORMAT, "tables": {}}

    snapshots = state.Snapshotter(take, lambda: changes["n"], period=3600, state_dir=tmp_path)
    assert snapshots.save() and not snapshots.save()
    changes["n"] += 1
    assert snapshots.save()
    snapshots.stop()  # a clean stop always writes
    assert taken == [0, 1, 1] and state.has_snapshot(tmp_path)
