"""Cognito pre-token-generation trigger (event version V3_0): puts the caller's property ids in the token.

Hosts (authorization code with PKCE): `property_ids` and `email` in the access token and the ID token.
Booking engines (client credentials, TokenGeneration_ClientCredentials): `property_ids` in the access token.
The ids come from the memberships in DynamoDB only; a user-writable attribute never takes part. The claim is
a JSON array in a string (`'["demo","moulin"]'`), the one form revenir.http.auth accepts: API Gateway
would render a real array claim as `[demo moulin]`, which a crafted id could imitate.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any, cast

import botocore.session
from aws_lambda_powertools import Logger

from revenir.core.settings import TableSettings, load
from revenir.members.service import MembershipService, verified_email
from revenir.members.store import MembershipStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

logger = Logger(service="identity")

CLIENT_CREDENTIALS = "TokenGeneration_ClientCredentials"


@cache
def service() -> MembershipService:
    # botocore directly: the trigger needs no boto3 (s3transfer) at cold start, and runs on every sign-in.
    client = cast("DynamoDBClient", botocore.session.get_session().create_client("dynamodb"))
    return MembershipService(MembershipStore(client, load(TableSettings).table_name))


@logger.inject_lambda_context
def pre_token_generation(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = event.get("request") or {}
    if event.get("triggerSource") == CLIENT_CREDENTIALS:
        client_id = str((event.get("callerContext") or {}).get("clientId", ""))
        property_ids = service().property_ids_for_client(client_id) if client_id else []
        access_claims: dict[str, Any] = {"property_ids": json.dumps(property_ids)}
        details: dict[str, Any] = {"accessTokenGeneration": {"claimsToAddOrOverride": access_claims}}
    else:
        attributes = request.get("userAttributes") or {}
        property_ids = service().property_ids_for_user(attributes)
        claims: dict[str, Any] = {"property_ids": json.dumps(property_ids)}
        email = verified_email(attributes)
        if email:  # access tokens carry no e-mail otherwise; the members API needs to know who calls
            claims["email"] = email
        details = {
            "idTokenGeneration": {"claimsToAddOrOverride": claims},
            "accessTokenGeneration": {"claimsToAddOrOverride": claims},
        }
    logger.info("token claims", extra={"trigger": event.get("triggerSource"), "properties": len(property_ids)})
    event["response"] = {"claimsAndScopeOverrideDetails": details}
    return event
