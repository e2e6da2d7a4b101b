"""A DynamoDB low-level client, typed loosely, plus the (de)serialisation of our plain items.

The layer never imports boto3: handlers create the client and pass it in (ports and adapters).
Only the types our items use are supported: str, int, bool, None, list, dict, set of str.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

Item = dict[str, Any]


if TYPE_CHECKING:  # boto3-stubs: the real client type, for mypy only (the layer never imports boto3)
    from mypy_boto3_dynamodb.client import DynamoDBClient as DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef
else:
    DynamoDBClient = Any


def to_attr(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, float):
        return {"N": repr(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (set, frozenset)):
        return {"SS": sorted(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attr(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB (money is int minor units)")


def from_attr(attr: Mapping[str, Any]) -> Any:
    (kind, value), = attr.items()
    if kind == "S":
        return value
    if kind == "N":
        return int(value) if "." not in value and "e" not in value.lower() else float(value)
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attr(v) for k, v in value.items()}
    if kind == "L":
        return [from_attr(v) for v in value]
    if kind == "SS":
        return set(value)
    raise TypeError(f"unsupported DynamoDB type {kind}")


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: to_attr(v) for k, v in item.items()}


def deserialize(item: Mapping[str, Any] | None) -> Item | None:
    if item is None:
        return None
    return {k: from_attr(v) for k, v in item.items()}


#: Attributes that only the storage uses (keys, index keys, optimistic-lock versions, TTL).
STORAGE_ONLY = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "version", "expires_at_epoch"})


def public(item: Mapping[str, Any]) -> Item:
    """An item without its storage attributes: what an API answer or an export may show."""
    return {k: v for k, v in item.items() if k not in STORAGE_ONLY}


def values(**named: Any) -> dict[str, Any]:
    """ExpressionAttributeValues from keyword arguments: values(now=x) -> {":now": {...}}."""
    return {f":{k}": to_attr(v) for k, v in named.items()}


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def cancellation_codes(error: Exception) -> list[str]:
    """The per-item reason codes of a TransactionCanceledException ("None" where the item passed)."""
    response = getattr(error, "response", {}) or {}
    return [r.get("Code", "None") for r in response.get("CancellationReasons", [])]


def cancellation_items(error: Exception) -> list[Item | None]:
    """The old items returned with ReturnValuesOnConditionCheckFailure=ALL_OLD, per transaction item."""
    response = getattr(error, "response", {}) or {}
    return [deserialize(r.get("Item")) for r in response.get("CancellationReasons", [])]


def error_code(error: Exception) -> str:
    response = getattr(error, "response", {}) or {}
    return str(response.get("Error", {}).get("Code", ""))


def query_all(client: DynamoDBClient, **kwargs: Any) -> list[Item]:
    """Every item a Query returns, following LastEvaluatedKey."""
    items: list[Item] = []
    while True:
        page = client.query(**kwargs)
        items += [deserialize(i) or {} for i in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def batch_get(client: DynamoDBClient, table: str, keys: list[dict[str, Any]], consistent: bool = False) -> list[Item]:
    """The items found among `keys` (100 at most), retrying what DynamoDB leaves unprocessed."""
    items: list[Item] = []
    request: dict[str, Any] = {table: {"Keys": keys, "ConsistentRead": consistent}}
    for _ in range(5):
        response = client.batch_get_item(RequestItems=request)
        items += [deserialize(i) or {} for i in response.get("Responses", {}).get(table, [])]
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return items
    raise RuntimeError("DynamoDB left keys unprocessed after 5 attempts")


def transact_write(client: DynamoDBClient, items: Sequence[Mapping[str, Any]]) -> None:
    """TransactWriteItems of items built as plain dicts (Put/Update/Delete/ConditionCheck with serialised keys)."""
    client.transact_write_items(TransactItems=cast("Sequence[TransactWriteItemTypeDef]", items))
