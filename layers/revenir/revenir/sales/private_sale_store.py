"""Private sales: keyed by their link token; a full copy under the access code (written in the same
transaction) lets the widget's code field find a sale in the validation's single read."""

from __future__ import annotations

from typing import Any

from revenir.core.errors import Conflict, NotFound
from revenir.sales import keys
from revenir.sales.private_sales import PrivateSale, PrivateSaleInput
from revenir.table.dynamodb import (
    DynamoDBClient,
    Item,
    cancellation_codes,
    deserialize,
    error_code,
    key,
    query_all,
    serialize,
    transact_write,
    values,
)

_STORAGE_ONLY = {"pk", "sk", "gsi1pk", "gsi1sk", "version"}


def access_code_key(property_id: str, access_code: str) -> dict[str, Any]:
    """The key of a sale's copy under an access code: promo-code validation reads it in its BatchGetItem."""
    return key(keys.sale_code_pk(property_id, access_code), keys.SALE_SK)


def _sale(item: Item) -> PrivateSale:
    return PrivateSale.model_validate({k: v for k, v in item.items() if k not in _STORAGE_ONLY})


class PrivateSaleRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    def _items(self, sale: PrivateSale, version: int) -> list[Item]:
        data = {k: v for k, v in sale.model_dump(mode="json").items() if v is not None}
        main = {"pk": keys.sale_pk(sale.property_id, sale.link_token), "sk": keys.SALE_SK,
                "gsi1pk": keys.sale_list_pk(sale.property_id), "gsi1sk": sale.id, "version": version, **data}
        items = [main]
        if sale.access_code and not sale.archived:
            items.append({**data, "pk": keys.sale_code_pk(sale.property_id, sale.access_code), "sk": keys.SALE_SK})
        return items

    def save(self, sale: PrivateSale, previous: Item | None = None) -> PrivateSale:
        """Create (previous None) or replace, with the access-code copy, in one transaction."""
        version = int(previous["version"]) + 1 if previous else 1
        main, *copy = self._items(sale, version)
        transact: list[dict[str, Any]] = [{"Put": {
            "TableName": self._table, "Item": serialize(main),
            "ConditionExpression": "version = :v" if previous else "attribute_not_exists(pk)",
            **({"ExpressionAttributeValues": values(v=previous["version"])} if previous else {})}}]
        old_code = previous.get("access_code") if previous and not previous.get("archived") else None
        if old_code and old_code != (sale.access_code if not sale.archived else None):
            transact.append({"Delete": {"TableName": self._table,
                                        "Key": key(keys.sale_code_pk(sale.property_id, old_code), keys.SALE_SK)}})
        for item in copy:
            condition = "attribute_not_exists(pk) OR id = :id"
            transact.append({"Put": {"TableName": self._table, "Item": serialize(item),
                                     "ConditionExpression": condition,
                                     "ExpressionAttributeValues": values(id=sale.id)}})
        try:
            transact_write(self._client, transact)
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons = cancellation_codes(exc)
            if reasons[-1] == "ConditionalCheckFailed" and copy:
                raise Conflict("another private sale uses this access code", code="access_code_taken",
                               details=[{"field": "body.access_code"}]) from exc
            raise Conflict("the sale changed while saving: try again", code="concurrent_change") from exc
        return sale

    def find(self, property_id: str, sale_id: str) -> Item:
        response = self._client.query(
            TableName=self._table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk AND gsi1sk = :id",
            ExpressionAttributeValues=values(pk=keys.sale_list_pk(property_id), id=sale_id))
        if not response.get("Items"):
            raise NotFound(f"private sale {sale_id!r} does not exist", code="private_sale_not_found")
        base = deserialize(response["Items"][0]) or {}
        item = deserialize(self._client.get_item(TableName=self._table, Key=key(base["pk"], base["sk"]),
                                                 ConsistentRead=True).get("Item"))
        if item is None:
            raise NotFound(f"private sale {sale_id!r} does not exist", code="private_sale_not_found")
        return item

    def get(self, property_id: str, sale_id: str) -> PrivateSale:
        return _sale(self.find(property_id, sale_id))

    def by_token(self, property_id: str, link_token: str) -> PrivateSale | None:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.sale_pk(property_id, link_token), keys.SALE_SK)).get("Item"))
        return _sale(item) if item else None

    def list_sales(self, property_id: str) -> list[PrivateSale]:
        items = query_all(self._client, TableName=self._table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                          ScanIndexForward=False, ExpressionAttributeValues=values(pk=keys.sale_list_pk(property_id)))
        return [_sale(i) for i in items]

def sale_from_item(item: Item) -> PrivateSale:
    return _sale(item)


__all__ = ["PrivateSaleInput", "PrivateSaleRepository", "sale_from_item"]
