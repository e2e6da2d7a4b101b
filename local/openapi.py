"""Builds the API's single OpenAPI document from every function's resolver (Powertools OpenAPIMerge).

Each Lambda function knows only its own routes, so the merged document is generated ahead of deployment,
committed as functions/platform/openapi.json, served by GET /v1/openapi.json, and checked in CI.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import Server

from local.lambdas import apply_environment
from local.template import ROOT, load

TARGET = ROOT / "functions" / "platform" / "openapi.json"


ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "details"], "properties": {
        "code": {"type": "string", "description": "Stable machine-readable code, e.g. invalid_request."},
        "message": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object"},
                    "description": "For invalid_request: one entry per offending field."}}}},
}


def _check_model_names(module_name: str, document: Any, seen: dict[str, tuple[str, str]]) -> None:
    """Two functions' models with one name and different shapes would be merged into one schema, and a client
    would parse one operation's answer with the other's model: refuse to build (name them apart)."""
    components = document.components.schemas if document.components else None
    for name, model in (components or {}).items():
        shape = json.dumps(model.model_dump(exclude_none=True, by_alias=True), sort_keys=True)
        first = seen.setdefault(name, (module_name, shape))
        if first[1] != shape:
            raise SystemExit(f"OpenAPI: two different models are both named {name!r} ({first[0]} and "
                             f"{module_name}): rename one")


def build() -> str:
    template = load()
    apply_environment(template)
    merge = OpenAPIMerge(
        title="Revenir API", version="1.0.0", on_conflict="error",
        description="Guest-loyalty engine for tourist accommodations. Errors are always "
                    '{"error": {"code", "message", "details"}}. Admin and booking-engine routes need a '
                    "bearer JWT whose property_ids claim lists the property.",
        servers=[Server(url="/")],
    )
    models: dict[str, tuple[str, str]] = {}
    for module_name in sorted({fn.module for fn in template.functions.values() if fn.routes}):
        module = importlib.import_module(module_name)
        document = module.app.get_openapi_schema()
        _check_model_names(module_name, document, models)
        merge.add_schema(document)
    schema = json.loads(merge.get_openapi_json_schema())
    schema.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    # Powertools' own validation-error models describe a 422 we never answer (bad input is a 400 in our model)
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        components.pop(name, None)
    components["Error"] = ERROR_SCHEMA
    # The domain events a property's endpoints receive (issue 17): OpenAPI 3.1's `webhooks` section
    from revenir.events.models import openapi_webhooks

    webhooks, event_schemas = openapi_webhooks()
    for name, event_schema in event_schemas.items():
        if name in components and components[name] != event_schema:
            raise SystemExit(f"OpenAPI: the event schema {name!r} clashes with a route's model: rename one")
        components[name] = event_schema
    schema["webhooks"] = webhooks
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    error_ref = {"description": "Error (stable code in error.code)", "content": error_content}
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses.setdefault("400", error_ref)
            responses.setdefault("500", {"description": "Unexpected failure: a generic message and the request id",
                                         "content": error_content})
            # Powertools gives a response without content the route's success model: every error status
            # answers the error model instead (a 409 on a redemption is never a RedemptionOut)
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = error_content
    validate_document(schema)
    for route in template.routes:
        path = schema["paths"].get(route.path.replace("{proxy+}", "{proxy}"), {})
        operation = path.get(route.method.lower())
        if operation is not None and route.authorizer:
            operation["security"] = [{"bearer": []}]
    undocumented = [f"{m.upper()} {path}" for path, item in schema["paths"].items() for m, op in item.items()
                    if not any(code.startswith("2") for code in op.get("responses", {}))]
    if undocumented:  # a route given `responses=` without its success answer loses it from the document
        raise SystemExit(f"OpenAPI: no success response documented for {', '.join(undocumented)}")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def validate_document(schema: dict[str, object]) -> None:
    """The document must be valid for an independent validator (openapi-spec-validator), not only for us."""
    from openapi_spec_validator import validate

    validate(schema)  # raises with the offending path when the document is not valid OpenAPI


def main() -> int:
    document = build()
    if "--write" in sys.argv:
        TARGET.write_text(document, encoding="utf-8")
        print(f"wrote {TARGET.relative_to(ROOT)}")
        return 0
    if TARGET.read_text(encoding="utf-8") != document:
        print(f"{TARGET.relative_to(ROOT)} is stale: run `make openapi` and commit it", file=sys.stderr)
        return 1
    print("openapi.json is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Path", "build"]
