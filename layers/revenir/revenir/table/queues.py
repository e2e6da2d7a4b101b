"""Time-ordered work queues on gsi1, sharded so that no queue is one hot partition.

A queued item has `gsi1pk = QUEUE#{NAME}#{shard}` and `gsi1sk = {due instant}#…`; the shard is a stable hash
of the property id, so one property's items share a shard (and its order), while thousands of properties
spread over SHARDS partitions. A reader asks for what is due across every shard, shard after shard, starting
at a rotating shard so that none starves, and stops at its limit: it reads only due items (one query per shard,
empty shards cost a query and no item). docs/scale.md has the capacity figures behind SHARDS.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from revenir.table.dynamodb import DynamoDBClient, Item, deserialize, values

#: Partitions per queue. At 1,000 writes per second per partition (GSIs included), 16 shards absorb 16,000
#: queue writes per second per queue — docs/scale.md's 10,000-property peak is well under it.
SHARDS = 16


def shard_of(property_id: str) -> int:
    return zlib.crc32(property_id.encode()) % SHARDS


def queue_pk(name: str, property_id: str) -> str:
    """The gsi1 partition a property's item of queue `name` goes to."""
    return f"QUEUE#{name}#{shard_of(property_id)}"


def due(client: DynamoDBClient, table: str, name: str, now_iso: str, limit: int,
        rotation: int = 0) -> Iterator[Item]:
    """Items of queue `name` due at `now_iso` (gsi1sk <= now), across every shard, at most `limit` of them.

    `rotation` picks the first shard (e.g. the tick's minute), so that a tick cut short by its limit does not
    always serve the same shards first."""
    remaining = limit
    for offset in range(SHARDS):
        shard = (rotation + offset) % SHARDS
        start: dict[str, Any] | None = None
        while remaining > 0:
            kwargs: dict[str, Any] = {
                "TableName": table, "IndexName": "gsi1", "Limit": remaining,
                "KeyConditionExpression": "gsi1pk = :q AND gsi1sk <= :now",
                "ExpressionAttributeValues": values(q=f"QUEUE#{name}#{shard}", now=now_iso + "#\uffff")}
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = client.query(**kwargs)
            items = page.get("Items", [])
            remaining -= len(items)
            yield from (deserialize(i) or {} for i in items)
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        if remaining <= 0:
            return


def rotation_of(now: datetime) -> int:
    """A shard to start from that changes every minute (ticks run every minute)."""
    return int(now.timestamp() // 60) % SHARDS
