"""The HTTP API's shared wiring: one resolver factory, one error model, mapped once.

Every route answers errors as {"error": {"code", "message", "details"}} with a stable `code`.
Bad input is a 400 that names the offending fields; a client mistake is never a 500.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import math
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder, Route
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from revenir.core.errors import InvalidInput, RevenirError
from revenir.http.auth import require_property

logger = Logger(child=True)

JSON = "application/json"

# Input limits every JSON body is held to before any model sees it (docs/api.md "Input limits").
MAX_JSON_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1  # what a JavaScript client (the widget, the back office) reads exactly
MIN_FLOAT_MAGNITUDE = 1e-6  # DynamoDB refuses magnitudes below 1e-130 ("Number underflow"); no field needs less
MAX_FLOAT_MAGNITUDE = float(MAX_SAFE_INTEGER)


class UnsupportedMediaType(RevenirError):
    status = 415
    code = "unsupported_media_type"


def _bad_body(message: str, code: str = "invalid_request") -> InvalidInput:
    return InvalidInput(message, code=code, details=[{"field": "body", "message": message}])


def _reject_constant(name: str) -> Any:
    raise _bad_body(f"{name} is not a JSON number")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_FLOAT_MAGNITUDE or 0 < abs(value) < MIN_FLOAT_MAGNITUDE:
        raise _bad_body(f"number {text[:40]} is out of range ({MIN_FLOAT_MAGNITUDE:g} to {MAX_FLOAT_MAGNITUDE:g})")
    return value


def _parse_int(text: str) -> int:
    if len(text) > 17:  # before int(): 5000 digits is a ValueError (and CPU) in Python
        raise _bad_body(f"integer {text[:40]}… is out of range (at most {MAX_SAFE_INTEGER})")
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise _bad_body(f"integer {text} is out of range (at most {MAX_SAFE_INTEGER})")
    return value


def _check_tree(value: Any, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise _bad_body(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate such as "\ud800": valid JSON, not valid text
            raise _bad_body("a string holds a lone surrogate (not valid Unicode text)") from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_tree(key, depth + 1)
            _check_tree(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1)


def parse_json_strictly(text: str) -> Any:
    """JSON as the API accepts it: finite numbers in range, bounded nesting, valid Unicode strings.

    Raises InvalidInput (400 naming the body) otherwise, where json.loads alone would accept NaN, Infinity and
    lone surrogates, and fail with a 500 on 5000-digit integers or 5000 nesting levels.
    """
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float, parse_int=_parse_int)
    except RecursionError as exc:
        raise _bad_body(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput("the body is not valid JSON", details=[
            {"field": "body", "message": f"{exc.msg} at position {exc.pos}", "type": "json_invalid"}]) from exc
    _check_tree(value)
    return value


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or None
    return None


def decode_body(raw: bytes, content_type: str) -> str:
    """The body as text: the declared charset, else UTF-8, else (text such as CSV only) Windows-1252.

    Excel saves "CSV" in Windows-1252 in fr, nl and de; JSON is UTF-8 by definition (RFC 8259).
    """
    mime = content_type.split(";")[0].strip().lower()
    declared = _charset(content_type)
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except LookupError as exc:
            raise UnsupportedMediaType(
                f"unknown charset {declared[:40]!r}; send UTF-8 or windows-1252",
                details=[{"field": "header.content-type", "message": "unknown charset"}]) from exc
        try:
            return raw.decode(codec)
        except UnicodeDecodeError as exc:
            raise _bad_body(f"the body is not valid {codec} (byte {exc.start})", "invalid_encoding") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if mime in ("", JSON) or mime.endswith("+json"):
            raise _bad_body(f"the body is not valid UTF-8 (byte {exc.start})", "invalid_encoding") from exc
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise _bad_body("the body is neither UTF-8 nor windows-1252: declare its charset in Content-Type",
                            "invalid_encoding") from exc


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

    def _normalise_body(self, route: Route) -> None:
        """The body as UTF-8 text before anything reads it; a body that cannot be is a 4xx, never a 500.

        API Gateway passes a body it does not take for text base64-encoded: decoded here with its charset
        (item 9 and 14 of issue 12); a multipart body (no route takes one) is a 415; a JSON body is parsed once,
        strictly (parse_json_strictly), and Powertools' validation reads that parse.
        """
        event = self.current_event
        raw = event.get("body")
        if not raw:
            return
        content_type = event.headers.get("content-type") or ""
        mime = content_type.split(";")[0].strip().lower()
        if mime.startswith("multipart/"):
            raise UnsupportedMediaType(f"{mime} is not accepted: send application/json (or text/csv to an import)",
                                       details=[{"field": "header.content-type", "message": "unsupported"}])
        if event.get("isBase64Encoded"):
            try:
                data = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise _bad_body("the body is not valid base64") from exc
            text = decode_body(data, content_type)
        else:
            text = raw
        event.raw_event["body"] = text
        event.raw_event["isBase64Encoded"] = False
        for cached in ("decoded_body", "json_body"):
            event.__dict__.pop(cached, None)
        if route.dependant.body_params and (not mime or mime == JSON or mime.endswith("+json")):
            event.__dict__["json_body"] = parse_json_strictly(text)  # Powertools' cached_property reads this

    def _call_route(self, route: Route, route_arguments: dict[str, str]) -> ResponseBuilder[Any]:
        try:
            self._normalise_body(route)
        except RevenirError as exc:
            builder = self._call_exception_handler(exc, route)
            if builder is None:  # pragma: no cover - create_app always maps RevenirError
                raise
            return builder
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

    @app.exception_handler(RequestUnsupportedContentType)  # type: ignore[untyped-decorator]
    def _unsupported_content_type(exc: RequestUnsupportedContentType) -> Response[Any]:
        return error_response(415, "unsupported_media_type", "send application/json", [
            {"field": "header.content-type", "message": "unsupported content type"}])

    @app.exception_handler(OverflowError)  # type: ignore[untyped-decorator]
    def _out_of_range(exc: OverflowError) -> Response[Any]:
        # a date computation on a query date at the edge of the calendar (to=9999-12-31 plus one day):
        # the models bound every body date (Day); this keeps a query date a client mistake too
        return error_response(400, "invalid_request", "a date or number is out of range",
                              [{"field": "query", "message": "dates lie between 1900-01-01 and 2199-12-31"}])

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def _unexpected(exc: Exception) -> Response[Any]:
        transient = getattr(exc, "transient", None)
        if isinstance(transient, bool) and isinstance(getattr(exc, "code", None), str):
            # revenir.mail.sender.SendError (http imports no mail module): the mail service refused a send
            # the caller asked for (a test send). Not our failure: 409 when it will not change, 503 when later.
            details = [{"provider_code": str(getattr(exc, "code", ""))}]
            if transient:
                return error_response(503, "mail_unavailable", "the mail service is busy: try again later",
                                      details, {"Retry-After": "60"})
            return error_response(409, "mail_rejected", "the mail service refused this message (is the sender "
                                  "address verified?)", details)
        # item 18 of issue 12: a 5xx never carries exception text; the log has it, under the request id
        request_id = _request_id(app)
        logger.exception("unhandled error", extra={"request_id": request_id})
        return error_response(500, "internal_error",
                              f"unexpected error; quote request id {request_id} when reporting it",
                              [{"request_id": request_id}])

    @app.not_found
    def _no_route(_: Exception) -> Response[Any]:
        return error_response(404, "route_not_found", "no such route")

    return app


def guard_client(event: Any) -> str:
    """Whose guessing-guard budget an attempt counts against (issue 12, item 3b).

    An authenticated caller (the booking engine's server, with its token) has its own budget, keyed by the
    token's subject; anonymous callers are counted per source address (API Gateway's, never a header). So an
    anonymous client burning its budget cannot make the booking engine's redemption answer 429 at checkout.
    """
    context = event.request_context
    authorizer = context.authorizer
    claims = authorizer.jwt_claim if authorizer else None
    if claims and claims.get("sub"):
        return f"token:{str(claims['sub'])[:128]}"
    return str(context.http.source_ip or "unknown")


def _request_id(app: APIGatewayHttpResolver) -> str:
    try:
        return str(app.current_event.request_context.request_id or "unknown")
    except Exception:  # the id is best effort; the 500 must still be answered
        return "unknown"


def json_response(status: int, body: Any) -> Response[Any]:
    """A JSON response from a pydantic model (or plain data) with an explicit status code."""
    return Response(status_code=status, content_type=JSON, body=body)
