"""A property's connected Stripe account in the single table (one item in the property's partition)."""

from __future__ import annotations

from typing import Any

from revenir.connect import keys
from revenir.connect.models import ConnectedAccount
from revenir.table.dynamodb import DynamoDBClient, deserialize, error_code, key, serialize, values


def _account(item: dict[str, Any]) -> ConnectedAccount:
    return ConnectedAccount.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})


class ConnectRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    def get(self, property_id: str) -> ConnectedAccount | None:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.account_pk(property_id), keys.ACCOUNT_SK)).get("Item"))
        return _account(item) if item else None

    def charge_account(self, property_id: str) -> str | None:
        """The account a payment of this property is charged on (direct charge), or None for the platform
        account (no connected account yet, or one that cannot take charges)."""
        account = self.get(property_id)
        return account.account_id if account is not None and account.can_charge else None

    def create(self, property_id: str, account: ConnectedAccount) -> ConnectedAccount:
        """Stores the first account of a property; a concurrent first onboarding keeps the one stored first."""
        item = {"pk": keys.account_pk(property_id), "sk": keys.ACCOUNT_SK, **account.model_dump()}
        try:
            self._client.put_item(TableName=self._table, Item=serialize(item),
                                  ConditionExpression="attribute_not_exists(pk)")
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return self.get(property_id) or account
        return account

    def update_status(self, property_id: str, account_id: str, charges_enabled: bool, details_submitted: bool,
                      now: str) -> bool:
        """Records Stripe's flags for this account; False when the property's account is another one."""
        try:
            self._client.update_item(
                TableName=self._table, Key=key(keys.account_pk(property_id), keys.ACCOUNT_SK),
                UpdateExpression="SET charges_enabled = :c, details_submitted = :d, updated_at = :now",
                ConditionExpression="account_id = :a",
                ExpressionAttributeValues=values(c=charges_enabled, d=details_submitted, now=now, a=account_id))
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return False
        return True


__all__ = ["ConnectRepository"]
