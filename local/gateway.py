"""A local API Gateway (HTTP API, payload 2.0) built from template.yaml's routes, plus the demo pages.

Requests become genuine API Gateway proxy events and are handed to the real handlers in-process.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request, Response

from local import outbox, tokens
from local.template import ACCOUNT, ROOT, Route, Template

WEB = ROOT / "web"


class Gateway:
    def __init__(self, template: Template, lambdas: Any, local_routes: dict[str, Any] | None = None,
                 console: Any = None):
        """`lambdas.invoke(name, event)` runs a function (local.workers.WorkerPool, or in-process LocalLambdas);
        `console(request, status, invocation)`, when given, is told of every API request."""
        self.template = template
        self.lambdas = lambdas
        self.local_routes = local_routes or {}
        self.console = console
        cors = (template.raw["Resources"].get("RevenirApi", {}).get("Properties", {}) or {}).get(
            "CorsConfiguration", {}) or {}
        self.cors_headers = {
            "Access-Control-Allow-Origin": ",".join(cors.get("AllowOrigins", ["*"])),
            "Access-Control-Allow-Headers": ",".join(cors.get("AllowHeaders", ["*"])),
            "Access-Control-Allow-Methods": ",".join(cors.get("AllowMethods", ["*"])),
            "Access-Control-Max-Age": str(cors.get("MaxAge", 600)),
        }

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path in ("/", "/index.html"):
            return self._static("index.html")
        if path.startswith("/web/"):
            return self._static(path.removeprefix("/web/"))
        if path == "/admin":
            return Response(status=308, headers={"Location": "/admin/"})
        if path.startswith("/admin/"):  # the host back-office: static files from web/admin/
            return self._static("admin/" + (path.removeprefix("/admin/") or "index.html"))
        if path.startswith("/_local/"):
            handler = self.local_routes.get(path)
            if handler is None:
                return _json(404, {"error": {"code": "route_not_found", "message": path, "details": []}})
            result: Response = handler(request)
            return result
        return self.api(request)

    def _static(self, name: str) -> Response:
        target = (WEB / name).resolve()
        if not target.is_file() or WEB.resolve() not in target.parents:
            return Response("not found", status=404)
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return Response(target.read_bytes(), mimetype=mime, headers={"Cache-Control": "no-store"})

    # ------------------------------------------------------------------ API Gateway
    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.template.routes:
            found = route.pattern.match(path)
            if found and route.method in (method, "ANY"):
                return route, found.groupdict()
        return None

    def api(self, request: Request) -> Response:
        response = self._api(request)
        if self.console is not None:
            last = getattr(self.lambdas, "last_invocation", None)
            self.console(request, response.status_code, last() if last else None)
        return response

    def _api(self, request: Request) -> Response:
        if request.method == "OPTIONS":  # CORS preflight, answered by API Gateway itself
            return Response(status=204, headers=self.cors_headers)
        matched = self.match(request.method, request.path)
        if matched is None:
            return _json(404, {"message": "Not Found"}, self.cors_headers)
        route, path_params = matched
        claims = None
        if route.authorizer:
            claims = tokens.verify(request.headers.get("Authorization"))
            if claims is None:
                return _json(401, {"message": "Unauthorized"}, self.cors_headers)
        event = self.event(request, route, path_params, claims)
        fn = self.template.functions[route.function]
        if hasattr(self.lambdas, "forget_last"):
            self.lambdas.forget_last()
        try:
            result = self.lambdas.invoke(fn.name, event)
        except Exception as exc:  # what API Gateway answers when the function itself fails
            if type(exc).__name__ == "Timeout":  # the function ran past its Timeout (local.workers)
                return _json(504, {"message": "Endpoint request timed out"}, self.cors_headers)
            if not hasattr(exc, "error_type"):  # in-process: the traceback is the log; workers log their own
                import traceback

                traceback.print_exc()
            return _json(500, {"message": "Internal Server Error"}, self.cors_headers)  # no exception text, as AWS
        return self.response(result)

    def event(self, request: Request, route: Route, path_params: dict[str, str],
              claims: dict[str, Any] | None) -> dict[str, Any]:
        body = request.get_data()
        text_types = ("json", "text", "xml", "x-www-form-urlencoded", "javascript")
        is_text = not body or any(t in (request.content_type or "") for t in text_types)
        now = datetime.now(UTC)
        headers = {k.lower(): v for k, v in request.headers.items()}
        query = request.query_string.decode()
        params: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        # the connection's address, as API Gateway does: a client-set X-Forwarded-For is never trusted
        source_ip = request.remote_addr or "127.0.0.1"
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": f"{route.method} {route.path}",
            "rawPath": request.path,
            "rawQueryString": query,
            "headers": headers,
            "requestContext": {
                "accountId": ACCOUNT,
                "apiId": "local",
                "domainName": request.host,
                "domainPrefix": request.host.split(".")[0],
                "http": {"method": request.method, "path": request.path, "protocol": "HTTP/1.1",
                         "sourceIp": source_ip.strip(), "userAgent": request.user_agent.string},
                "requestId": str(uuid.uuid4()),
                "routeKey": f"{route.method} {route.path}",
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(time.time() * 1000),
            },
            "isBase64Encoded": not is_text,
        }
        if request.cookies:
            event["cookies"] = [f"{k}={v}" for k, v in request.cookies.items()]
        if params:
            event["queryStringParameters"] = params
        if path_params:
            event["pathParameters"] = path_params
        if body:
            try:  # API Gateway passes a body that is not valid UTF-8 base64-encoded, whatever its content type
                text = body.decode("utf-8") if is_text else None
            except UnicodeDecodeError:
                text = None
            event["body"] = text if text is not None else base64.b64encode(body).decode()
            event["isBase64Encoded"] = text is None
        if claims is not None:
            event["requestContext"]["authorizer"] = {
                "jwt": {"claims": tokens.as_api_gateway_claims(claims),
                        "scopes": str(claims.get("scope", "")).split() or None},
            }
        return event

    def response(self, result: Any) -> Response:
        if not isinstance(result, dict) or "statusCode" not in result:  # HTTP API infers 200 + JSON
            return _json(200, result, self.cors_headers)
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        response = Response(data, status=int(result["statusCode"]))
        for key, value in (result.get("headers") or {}).items():
            response.headers[key] = str(value)
        for key, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                response.headers.add(key, str(value))
        for cookie in result.get("cookies") or []:
            response.headers.add("Set-Cookie", cookie)
        for key, value in self.cors_headers.items():
            response.headers.setdefault(key, value)
        return response


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers or {})


__all__ = ["Gateway", "outbox"]
