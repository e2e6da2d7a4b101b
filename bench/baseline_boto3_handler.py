"""The yardstick for handlers that store anything: the bare Powertools handler plus boto3.

Every DynamoDB-backed Lambda function pays for boto3; comparing with this isolates what Revenir adds.
"""

from __future__ import annotations

from typing import Any

import boto3  # noqa: F401 - imported for its cost, as every storing handler does

from bench.baseline_handler import app


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
