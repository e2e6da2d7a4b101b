"""Issue 12, item 15: the committed OpenAPI document is valid for an independent validator and every error
response is described by the error model (never by a success model)."""

from __future__ import annotations

import json
from typing import Any

from openapi_spec_validator import validate

from local.openapi import TARGET


def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TARGET.read_text(encoding="utf-8"))
    return loaded


def test_finding_15_openapi_document_is_valid_for_openapi_spec_validator() -> None:
    validate(document())  # raises on a dangling $ref (the finding: #/components/schemas/ValidationError)


def test_finding_15_every_error_response_uses_the_error_model() -> None:
    wrong = []
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                    if schema != {"$ref": "#/components/schemas/Error"}:
                        wrong.append(f"{method.upper()} {path} {status}: {schema}")
    assert wrong == []
