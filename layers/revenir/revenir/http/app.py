"""The HTTP API's shared wiring: one resolver factory, one error model, mapped once.

Every route answers errors as {"error": {"code", "message", "details"}} with a stable `code`.
Bad input is a 400 that names the offending fields; a client mistake is never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder, Route
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from revenir.core.errors import RevenirError
from revenir.http.auth import require_property

logger = Logger(child=True)

JSON = "application/json"


def error_response(status: int, code: str, message: str, details: list[Any] | None = None,
                   headers: Mapping[str, str] | None = None) -> Response[Any]:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return Response(status_code=status, content_type=JSON, body=json.dumps(body), headers=dict(headers or {}))


def _field_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        # Powertools prefixes the location with "body", "path" or "query": keep it, it tells where.
        details.append({"field": ".".join(loc), "message": err.get("msg", ""), "type": err.get("type", "")})
    return details


class TenantResolver(APIGatewayHttpResolver):
    """The HTTP API resolver with tenancy enforced by structure, before anything else of the route runs.

    A route with a `property_id` path parameter that API Gateway authorised (the template gives it the JWT
    authorizer, so the event carries verified claims) answers 403 unless the token manages that property —
    before request validation, so another tenant learns nothing about the route's schema. Routes the
    template marks `Authorizer: NONE` carry no claims and are public by design (tests/integration/
    test_tenancy.py calls every route of the template with another tenant's token and with none).
    """

    def _call_route(self, route: Route, route_arguments: dict[str, str]) -> ResponseBuilder[Any]:
        property_id = route_arguments.get("property_id")
        authorizer = self.current_event.request_context.authorizer
        claims = authorizer.jwt_claim if authorizer else None
        if property_id is not None and claims is not None:
            try:
                require_property(claims, property_id)
            except RevenirError as exc:
                builder = self._call_exception_handler(exc, route)
                if builder is None:  # pragma: no cover - create_app always maps RevenirError
                    raise
                return builder
        return super()._call_route(route, route_arguments)


def create_app(*, validation: bool = True) -> APIGatewayHttpResolver:
    """A resolver for one Lambda function, with validation (drives OpenAPI) and the error model.

    `validation=False` keeps pydantic out of a function that has no request body to check (cold start).
    """
    app = TenantResolver(
        enable_validation=validation,
        cors=CORSConfig(allow_origin="*", allow_headers=["Authorization", "Content-Type"], max_age=600),
    )

    @app.exception_handler(RevenirError)  # type: ignore[untyped-decorator]
    def _domain_error(exc: RevenirError) -> Response[Any]:
        headers = {}
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return error_response(exc.status, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def _invalid_request(exc: RequestValidationError) -> Response[Any]:
        return error_response(400, "invalid_request", "the request is not valid", _field_details(exc))

    if validation:  # pydantic is loaded anyway then; a function without validation keeps it out of its cold start
        from pydantic import ValidationError

        @app.exception_handler(ValidationError)  # type: ignore[untyped-decorator]
        def _invalid_model(exc: ValidationError) -> Response[Any]:
            # a domain model rebuilt from the request (e.g. a PATCH merged into a stored object) that does not hold
            details = [{"field": "body." + ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", ""),
                        "type": e.get("type", "")} for e in exc.errors()]
            return error_response(400, "invalid_request", "the request is not valid", details)

    @app.not_found
    def _no_route(_: Exception) -> Response[Any]:
        return error_response(404, "route_not_found", "no such route")

    return app


def json_response(status: int, body: Any) -> Response[Any]:
    """A JSON response from a pydantic model (or plain data) with an explicit status code."""
    return Response(status_code=status, content_type=JSON, body=body)
