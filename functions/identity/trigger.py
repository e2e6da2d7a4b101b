"""Cognito pre-token-generation trigger (event version V3_0): puts the caller's property ids in the token.

Hosts (authorization code with PKCE): `property_ids` and `email` in the access token and the ID token.
Booking engines (client credentials, TokenGeneration_ClientCredentials): `property_ids` in the access token.
The ids come from the memberships in DynamoDB only; a user-writable attribute never takes part. The claim is
a JSON array in a string (`'["demo","moulin"]'`), the one form revenir.http.auth accepts: API Gateway
would render a real array claim as `[demo moulin]`, which a crafted id could imitate.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any, cast

import botocore.session
from aws_lambda_powertools import Logger

from revenir.members.claims import TokenClaims

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

logger = Logger(service="identity")

CLIENT_CREDENTIALS = "TokenGeneration_ClientCredentials"


@cache
def claims() -> TokenClaims:
    # botocore directly and no pydantic: the trigger runs on every sign-in and refresh, often cold.
    client = cast("DynamoDBClient", botocore.session.get_session().create_client("dynamodb"))
    return TokenClaims(client, os.environ["TABLE_NAME"])  # a deployment without it fails loudly


@logger.inject_lambda_context
def pre_token_generation(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("triggerSource") == CLIENT_CREDENTIALS:
        client_id = str((event.get("callerContext") or {}).get("clientId", ""))
        added = claims().for_client(client_id)
        details: dict[str, Any] = {"accessTokenGeneration": {"claimsToAddOrOverride": added}}
    else:
        added = claims().for_user((event.get("request") or {}).get("userAttributes") or {})
        details = {
            "idTokenGeneration": {"claimsToAddOrOverride": added},
            "accessTokenGeneration": {"claimsToAddOrOverride": added},
        }
    logger.info("token claims", extra={"trigger": event.get("triggerSource"), "property_ids": added["property_ids"]})
    event["response"] = {"claimsAndScopeOverrideDetails": details}
    return event
