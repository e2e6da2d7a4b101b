"""The yardstick for cold starts: a bare Powertools HTTP handler with nothing of ours in it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

logger = Logger()
metrics = Metrics(namespace="x")
app = APIGatewayHttpResolver()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
