"""Partner programs (in the property's partition) and their card numbers (one item each, found by number)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from revenir.core.errors import NotFound
from revenir.sales import keys
from revenir.sales.partner_cards import PartnerProgram
from revenir.table.dynamodb import DynamoDBClient, Item, deserialize, error_code, key, serialize, values


def card_key(property_id: str, number: str) -> dict[str, Any]:
    """A card's key: promo-code validation reads it in its BatchGetItem."""
    return key(keys.card_pk(property_id, number), keys.CARD_SK)


def card_uses_update(table: str, property_id: str, number: str, delta: int) -> dict[str, Any]:
    """A transaction item counting a use of the card (delta 1) or giving it back (-1), for a redemption."""
    return {"Update": {"TableName": table, "Key": card_key(property_id, number),
                       "UpdateExpression": "ADD uses :d", "ExpressionAttributeValues": values(d=delta)}}


def _program(item: Item) -> PartnerProgram:
    return PartnerProgram.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})


class PartnerCardRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    def save_program(self, program: PartnerProgram) -> PartnerProgram:
        data = {k: v for k, v in program.model_dump(mode="json").items() if v is not None}
        fields = {k: v for k, v in data.items() if k != "cards"}
        names = {f"#{k}": k for k in fields}
        self._client.update_item(
            TableName=self._table, Key=key(keys.property_pk(program.property_id), keys.partner_program_sk(program.id)),
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields)
            + ", cards = if_not_exists(cards, :zero)",
            ExpressionAttributeNames=names, ExpressionAttributeValues=values(zero=0, **fields))
        return self.get_program(program.property_id, program.id)

    def get_program(self, property_id: str, program_id: str) -> PartnerProgram:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.property_pk(property_id), keys.partner_program_sk(program_id)),
            ConsistentRead=True).get("Item"))
        if item is None:
            raise NotFound(f"partner program {program_id!r} does not exist", code="partner_program_not_found")
        return _program(item)

    def list_programs(self, property_id: str) -> list[PartnerProgram]:
        response = self._client.query(
            TableName=self._table, KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues=values(pk=keys.property_pk(property_id), p=keys.PARTNER_PREFIX))
        return [_program(deserialize(i) or {}) for i in response.get("Items", [])]

    def add_cards(self, property_id: str, program_id: str, numbers: list[str], now: str) -> list[dict[str, Any]]:
        """Load card numbers; re-loading the same file changes nothing. Returns one outcome per number."""

        def put(number: str) -> dict[str, Any]:
            try:
                self._client.put_item(
                    TableName=self._table, ConditionExpression="attribute_not_exists(pk)",
                    Item=serialize({"pk": keys.card_pk(property_id, number), "sk": keys.CARD_SK, "number": number,
                                    "program_id": program_id, "property_id": property_id, "uses": 0,
                                    "created_at": now}),
                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
                return {"number": number, "status": "added"}
            except Exception as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise
                old = deserialize(getattr(exc, "response", {}).get("Item")) or {}
                if old.get("program_id") == program_id:
                    return {"number": number, "status": "already_loaded"}
                return {"number": number, "status": "error", "error": "belongs to another partner program"}

        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(put, numbers))
        added = sum(1 for o in outcomes if o["status"] == "added")
        if added:
            self._client.update_item(
                TableName=self._table, Key=key(keys.property_pk(property_id), keys.partner_program_sk(program_id)),
                UpdateExpression="ADD cards :n", ExpressionAttributeValues=values(n=added))
        return outcomes
