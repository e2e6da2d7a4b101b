"""Tenancy is structural: every route of template.yaml, called through the local gateway, answers 401 with no
token and 403 with another property's token — before any validation (an empty or wrong body makes no
difference) — unless the template marks it anonymous. The routes come from the template itself, so a new
route is covered the day it is added; the anonymous list is pinned so that making a route public is a
reviewed decision."""

from __future__ import annotations

import re
from typing import Any

import pytest

from local.template import load

ROUTES = load().routes
ANONYMOUS = {
    "GET /health", "GET /v1/openapi.json", "POST /v1/stripe/webhook",
    "POST /v1/properties/{property_id}/codes/validate",
    "GET /v1/properties/{property_id}/promo-codes/public",
    "GET /v1/properties/{property_id}/widget",
    "GET /v1/properties/{property_id}/private-sales/{token}",
    "POST /v1/properties/{property_id}/private-sales/{token}/price",
    "GET /v1/properties/{property_id}/gift-shop",
    "GET /v1/properties/{property_id}/vouchers/{code}",
    "GET /v1/properties/{property_id}/vouchers/{code}/print",
    "POST /v1/properties/{property_id}/gift-orders",
    "GET /v1/properties/{property_id}/unsubscribe",
    "POST /v1/properties/{property_id}/unsubscribe",
    "GET /v1/properties/{property_id}/reviews/summary",
    "GET /v1/properties/{property_id}/reviews/form",
    "POST /v1/properties/{property_id}/reviews",
    "POST /v1/stripe/connect/webhook",
    "GET /v1/properties/{property_id}/pending-payments/{booking_id}/pay",
    "POST /v1/properties/{property_id}/pending-payments/{booking_id}/pay/code",
    "DELETE /v1/properties/{property_id}/pending-payments/{booking_id}/pay/code",
    "POST /v1/properties/{property_id}/package-orders",
    "GET /v1/properties/{property_id}/packages/on-sale",
    # the e-mailing tools' webhooks: verified by the HMAC token in their URL (docs/emailing-tools.md)
    "GET /v1/properties/{property_id}/mailing/webhooks/{provider}/{token}",
    "POST /v1/properties/{property_id}/mailing/webhooks/{provider}/{token}",
}
PROTECTED = [r for r in ROUTES if r.authorizer]
SAMPLE = {"property_id": "demo", "booking_id": "b-1", "promo_id": "pc_" + "0" * 26, "product_id": "gp_" + "0" * 26,
          "code": "ABCD-EFGH-JKLM-NPQR", "email": "guest@example.com", "template_id": "pre_stay",
          "segment_id": "families", "review_id": "rv_1", "cart_id": "c-1", "sale_id": "ps_1", "program_id": "pp_1",
          "offer_id": "gite", "token": "t" * 20, "provider": "brevo",
          "package_id": "pkg_" + "0" * 26,
          "endpoint_id": "we_" + "0" * 26, "delivery_id": "evt_" + "0" * 26}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\+?\}", lambda m: SAMPLE.get(m.group(1), "x1"), path)


def test_the_anonymous_routes_are_exactly_the_reviewed_ones() -> None:
    assert {f"{r.method} {r.path}" for r in ROUTES if not r.authorizer} == ANONYMOUS


@pytest.mark.parametrize("route", PROTECTED, ids=lambda r: f"{r.method} {r.path}")
def test_a_protected_route_refuses_no_token_and_another_tenant(route: Any, api: Any, token: Any) -> None:
    path = concrete(route.path)
    response = api.open(path, method=route.method, json={})
    assert response.status_code == 401, response.get_data(as_text=True)
    if "{property_id}" in route.path:
        for body in ({}, {"unexpected": ["x"] * 3}):
            response = api.open(path, method=route.method, json=body, headers=token("someone-else"))
            assert response.status_code == 403, (path, response.get_data(as_text=True))
            assert response.get_json()["error"]["code"] == "forbidden"


def test_a_claim_that_is_not_a_json_list_of_property_ids_grants_nothing(api: Any, demo: str) -> None:
    import jwt

    from local import tokens

    def header(claim: Any) -> dict[str, str]:
        claims = {"sub": "x", "iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "exp": 2**33, "property_ids": claim}
        return {"Authorization": "Bearer " + jwt.encode(claims, tokens.secret(), algorithm="HS256")}

    path = "/v1/admin/properties/demo/promo-codes"
    assert api.get(path, headers=header('["demo"]')).status_code == 200
    for claim in ("demo", "[demo]", "demo other", '["demo other"]', '["DEMO"]', '{"demo": 1}', "demo,other"):
        assert api.get(path, headers=header(claim)).status_code == 403, claim
