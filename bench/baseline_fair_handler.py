"""The fair yardstick for cold starts (issue 14): what any DynamoDB-backed Powertools API handler pays.

Powertools' HTTP resolver with validation (pydantic, OpenAPI), Logger, Metrics, and boto3; the bench then
creates one DynamoDB client after the import, exactly as it does after importing each handler (their first
client counted too).
"""

from __future__ import annotations

from typing import Any

import boto3  # noqa: F401 - imported for its cost: the client is created by the bench, as for every handler
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

logger = Logger()
metrics = Metrics(namespace="x")
app = APIGatewayHttpResolver(enable_validation=True)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
