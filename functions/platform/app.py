"""Platform routes: health check and the API's OpenAPI document.

openapi.json beside this file is generated from every function's resolver (`make openapi`, checked in CI):
each Lambda function only knows its own routes, so the merged document is built ahead of deployment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from revenir.http.app import JSON, create_app

logger = Logger(service="platform")
app = create_app(validation=False)  # no input to validate: no pydantic at cold start
_OPENAPI = Path(__file__).with_name("openapi.json")


@app.get("/health", summary="Liveness check", tags=["Platform"], include_in_schema=True)
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/v1/openapi.json", summary="This API's OpenAPI 3 document", tags=["Platform"])
def openapi() -> Response[Any]:
    return Response(status_code=200, content_type=JSON, body=_OPENAPI.read_text(encoding="utf-8"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
