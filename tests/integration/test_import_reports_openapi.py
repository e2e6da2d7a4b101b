"""The OpenAPI document describes both imports' real responses, each under its own name."""

from __future__ import annotations

import json
from typing import Any


def schema(document: dict[str, Any], path: str) -> tuple[str, dict[str, Any]]:
    ref = document["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[1]
    return name, document["components"]["schemas"][name]


def test_the_review_import_has_its_own_true_model(api: Any, demo: str) -> None:
    document = api.get("/v1/openapi.json").json
    reviews_name, reviews = schema(document, "/v1/admin/properties/{property_id}/reviews/imports/{source}")
    vouchers_name, vouchers = schema(
        document, "/v1/admin/properties/{property_id}/gift-products/{product_id}/vouchers/import")
    assert reviews_name == "ReviewImportReport" and vouchers_name == "VoucherImportReport"
    rows = [{"id": "r1", "date": "2026-08-20", "overall_rating": 5}, {"id": "r2", "overall_rating": 4}]
    report = api.post("/v1/admin/properties/demo/reviews/imports/airbnb", data=json.dumps(rows).encode(),
                      headers={"Authorization": f"Bearer {demo}", "Content-Type": "application/json"}).json
    assert set(report) == set(reviews["properties"]) and set(reviews["required"]) <= set(report)
    assert report["received"] == 2 and report["created"] == 1 and report["rejected"][0]["row"] == 2
    rejection = document["components"]["schemas"][reviews["properties"]["rejected"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(report["rejected"][0]) <= set(rejection["properties"])
    assert set(vouchers["properties"]) == {"imported", "unchanged", "rejected", "rows"}
