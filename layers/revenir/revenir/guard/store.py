"""The guessing guard's counters in the single table: one adapter shared by promo codes and gift vouchers.

The counters are read in the same BatchGetItem as the code being validated (no extra round trip): the
caller adds `Counters.keys` to its batch and hands the found items back to `Counters.read`. A miss is
counted for the client (conditionally: the limit holds under concurrency) and for the property.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from revenir.core.errors import TooManyRequests
from revenir.guard import keys
from revenir.guard.policy import GuardPolicy
from revenir.table.dynamodb import DynamoDBClient, Item, error_code, key, values


@dataclass(frozen=True)
class Counters:
    """The guard's two counters for one client of one property in the current window."""

    property_id: str
    client: str
    policy: GuardPolicy
    now: datetime

    @property
    def window(self) -> str:
        return str(self.policy.window_start(self.now))

    @property
    def keys(self) -> list[dict[str, Any]]:
        """The counters' keys, to add to the caller's BatchGetItem: [client, property]."""
        return [key(keys.client_pk(self.property_id, self.client), self.window),
                key(keys.property_counter_pk(self.property_id), self.window)]

    def read(self, found: Mapping[tuple[str, str], Item]) -> tuple[int, int]:
        """(client failures, property failures) from the caller's batch results keyed by (pk, sk)."""
        client_key, property_key = self.keys
        return (int(found.get((client_key["pk"]["S"], self.window), {}).get("attempts", 0)),
                int(found.get((property_key["pk"]["S"], self.window), {}).get("attempts", 0)))

    def check(self, found: Mapping[tuple[str, str], Item]) -> None:
        """429 (with Retry-After) when this client is blocked."""
        if self.policy.is_blocked(*self.read(found)):
            raise TooManyRequests("too many unknown codes: try again later",
                                  retry_after=self.policy.retry_after(self.now))

    def record_miss(self, client: DynamoDBClient, table: str) -> None:
        """Count an unknown-code attempt for the client, then for the property.

        Count-then-decide in one conditional write: the client's counter only moves while it is under the
        limit, so when 200 concurrent misses all read 0 before any was counted, 20 are answered "unknown" and
        the rest 429 (issue 12, item 3a): the limit holds under concurrency, not only one request at a time.
        Two single-item updates rather than one transaction: concurrent transactions on the same counter
        would be cancelled (TransactionConflict) where concurrent updates are serialised by DynamoDB.
        """
        expires = self.policy.window_start(self.now) + 2 * self.policy.window_seconds
        client_key, property_key = self.keys
        update = "ADD attempts :one SET expires_at_epoch = :exp"
        try:
            client.update_item(TableName=table, Key=client_key, UpdateExpression=update,
                               ConditionExpression="attribute_not_exists(attempts) OR attempts < :max",
                               ExpressionAttributeValues=values(one=1, exp=expires,
                                                                max=self.policy.max_attempts_per_client))
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise TooManyRequests("too many unknown codes: try again later",
                                      retry_after=self.policy.retry_after(self.now)) from exc
            raise
        client.update_item(TableName=table, Key=property_key, UpdateExpression=update,
                           ExpressionAttributeValues=values(one=1, exp=expires))
