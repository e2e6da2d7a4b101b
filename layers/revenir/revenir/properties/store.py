"""Properties and their offers catalog in the single table."""

from __future__ import annotations

from typing import Any

from revenir.core.errors import Conflict, NotFound
from revenir.properties import keys
from revenir.properties.models import Property, PropertyInput
from revenir.properties.offers import Offer, OfferInput
from revenir.table.dynamodb import (
    DynamoDBClient,
    Item,
    cancellation_codes,
    deserialize,
    error_code,
    key,
    query_all,
    serialize,
    to_attr,
    values,
)


def property_key(property_id: str) -> dict[str, Any]:
    """The property item's key, for another capability's BatchGetItem (codes read the time zone with the code)."""
    return key(keys.property_pk(property_id), keys.PROPERTY_SK)


def split_partition(items: list[Item]) -> tuple[Item | None, list[Item], list[Item]]:
    """A query of the property's partition -> (the property item, its offers, every other item)."""
    prop, offers, rest = None, [], []
    for item in items:
        if item["sk"] == keys.PROPERTY_SK:
            prop = item
        elif item["sk"].startswith(keys.OFFER_PREFIX):
            offers.append(item)
        else:
            rest.append(item)
    return prop, offers, rest


def assigned_sender(property_id: str, requested: str) -> str:
    """`{property_id}@{domain}`: the only From address a property sends from."""
    return f"{property_id}@{requested.rpartition('@')[2]}"


class PropertyRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    def put(self, property_id: str, data: PropertyInput, now: str) -> tuple[Property, bool]:
        """Create or replace a property in one write. Returns (property, created).

        The sender address's local part is the property's id, assigned by the platform whatever the host typed
        (issue 12, item 1): a host can choose the domain the platform sends from (SES and IAM allow only the
        platform's verified domain) but never another property's address. The display name is the property's
        name and Reply-To its contact address (revenir.mail.message).
        """
        fields = data.model_dump()
        fields["sender_email"] = assigned_sender(property_id, str(fields["sender_email"]))
        names = {f"#{k}": k for k in fields}
        sets = ", ".join(f"#{k} = :{k}" for k in fields)
        result = self._client.update_item(
            TableName=self._table,
            Key=key(keys.property_pk(property_id), keys.PROPERTY_SK),
            UpdateExpression=f"SET {sets}, updated_at = :now, created_at = if_not_exists(created_at, :now), "
            "property_id = :pid ADD version :one",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values(now=now, pid=property_id, one=1, **fields),
            ReturnValues="ALL_NEW",
        )
        item = deserialize(result["Attributes"]) or {}
        created = item.pop("version") == 1
        return Property.model_validate(_public(item)), created

    def get(self, property_id: str) -> Property:
        result = self._client.get_item(
            TableName=self._table, Key=key(keys.property_pk(property_id), keys.PROPERTY_SK),
        )
        item = deserialize(result.get("Item"))
        if item is None:
            raise NotFound(f"property {property_id!r} does not exist", code="property_not_found")
        return Property.model_validate(_public(item))

    def put_offer(self, property_id: str, offer_id: str, data: OfferInput, now: str) -> Offer:
        """Store an offer in one transaction that also checks the property exists and shares its currency."""
        offer = Offer(offer_id=offer_id, updated_at=now, **data.model_dump())
        item = {"pk": keys.property_pk(property_id), "sk": keys.offer_sk(offer_id), **offer.model_dump()}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {"ConditionCheck": {
                        "TableName": self._table,
                        "Key": key(keys.property_pk(property_id), keys.PROPERTY_SK),
                        "ConditionExpression": "attribute_exists(pk) AND currency = :currency",
                        "ExpressionAttributeValues": {":currency": to_attr(data.currency)},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }},
                    {"Put": {"TableName": self._table, "Item": serialize(item)}},
                ]
            )
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons = cancellation_codes(exc)
            old = (getattr(exc, "response", {}).get("CancellationReasons") or [{}])[0].get("Item")
            if reasons and reasons[0] == "ConditionalCheckFailed":
                if old is None:
                    raise NotFound(f"property {property_id!r} does not exist", code="property_not_found") from exc
                raise Conflict(
                    "an offer's currency must be the property's currency",
                    code="currency_mismatch",
                    details=[{"field": "currency", "expected": (deserialize(old) or {}).get("currency")}],
                ) from exc
            raise
        return offer

    def list_offers(self, property_id: str) -> list[Offer]:
        items = query_all(self._client, TableName=self._table,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                          ExpressionAttributeValues=values(pk=keys.property_pk(property_id), prefix=keys.OFFER_PREFIX))
        return [Offer.model_validate(_public(i)) for i in items]

def _public(item: dict[str, Any]) -> dict[str, Any]:
    """Drop the storage-only attributes (keys, index keys) from an item."""
    return {k: v for k, v in item.items() if k not in {"pk", "sk"} and not k.startswith("gsi")}
