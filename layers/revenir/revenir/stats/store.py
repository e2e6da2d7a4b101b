"""Monthly counters: an Update item for the caller's own transaction (`add`), a direct write (`add_now`),
and the 13 months of a dashboard in one Query (`months`)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from revenir.core import clock
from revenir.stats import keys
from revenir.table.dynamodb import DynamoDBClient, Item, deserialize, key, to_attr, values

_NAME = re.compile(r"^[a-z_]+(_[A-Z]{3})?$")


def month_of(time_zone: str | None, at: datetime | None = None) -> str:
    """The property's local month of an event (UTC when the time zone is not known)."""
    return clock.local_today(time_zone or "UTC", at).strftime("%Y-%m")


def add(table: str, property_id: str, month: str, counters: dict[str, int]) -> dict[str, Any]:
    """A TransactWriteItems `Update` adding `counters` (negative to subtract) to the property's month."""
    counters = {name: amount for name, amount in counters.items() if amount}
    for name in counters:
        if not _NAME.match(name):
            raise ValueError(f"not a counter name: {name!r}")
    names = {f"#c{i}": name for i, name in enumerate(counters)}
    vals = {f":c{i}": to_attr(amount) for i, amount in enumerate(counters.values())}
    expression = "SET property_id = :pid, #m = :month"
    if counters:
        expression = "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(counters))) + " " + expression
    return {"Update": {
        "TableName": table, "Key": key(keys.property_pk(property_id), keys.month_sk(month)),
        "UpdateExpression": expression, "ExpressionAttributeNames": names | {"#m": "month"},
        "ExpressionAttributeValues": vals | values(pid=property_id, month=month)}}


class StatsRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    def add_now(self, property_id: str, month: str, counters: dict[str, int]) -> None:
        """One UpdateItem, for events that have no transaction of their own."""
        update = add(self._table, property_id, month, counters)["Update"]
        self._client.update_item(**update)

    def months(self, property_id: str, first: str, last: str) -> dict[str, Item]:
        """The months first..last (YYYY-MM) in one Query (sk BETWEEN); absent months have no item."""
        page = self._client.query(
            TableName=self._table, KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues=values(pk=keys.property_pk(property_id), a=keys.month_sk(first),
                                             b=keys.month_sk(last)))
        found = (deserialize(raw) or {} for raw in page.get("Items", []))
        return {item["month"]: item for item in found if "month" in item}


def months_ending(month: str, count: int = 12) -> list[str]:
    """`count` months ending with `month` (YYYY-MM), oldest first."""
    year, mon = (int(part) for part in month.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return out[::-1]


def month_bounds(month: str) -> tuple[date, date]:
    year, mon = (int(part) for part in month.split("-"))
    first = date(year, mon, 1)
    nxt = date(year + 1, 1, 1) if mon == 12 else date(year, mon + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)
