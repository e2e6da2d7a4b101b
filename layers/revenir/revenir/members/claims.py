"""What the pre-token-generation trigger puts in a token: the principal's property ids, one Query.

Kept free of pydantic (the store's models) and of the settings model: the trigger runs on every sign-in and
token refresh, often cold, inside Cognito's 5-second budget.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from revenir.members import keys
from revenir.table.dynamodb import DynamoDBClient, query_all, values


def verified_email(user_attributes: Mapping[str, Any]) -> str | None:
    """The membership key: the e-mail, only once Cognito verified it."""
    email = str(user_attributes.get("email", "")).strip().lower()
    return email if email and str(user_attributes.get("email_verified", "")).lower() == "true" else None


class TokenClaims:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    def for_user(self, user_attributes: Mapping[str, Any]) -> dict[str, str]:
        """`property_ids` (a JSON array in a string, revenir.http.auth's one form) and the verified `email`."""
        email = verified_email(user_attributes)
        if email is None:
            return {"property_ids": "[]"}
        return {"property_ids": json.dumps(self._properties(keys.member_pk(email))), "email": email}

    def for_client(self, client_id: str) -> dict[str, str]:
        return {"property_ids": json.dumps(self._properties(keys.client_pk(client_id)) if client_id else [])}

    def _properties(self, pk: str) -> list[str]:
        items = query_all(
            self._client, TableName=self._table, ProjectionExpression="property_id",
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=values(pk=pk, prefix=keys.PRINCIPAL_SK_PREFIX),
        )
        return sorted(str(i["property_id"]) for i in items)
