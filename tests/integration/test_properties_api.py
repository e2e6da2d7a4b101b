"""Properties and offers through the local API Gateway and the real handler, on moto."""

from __future__ import annotations

from typing import Any

PROPERTY = {
    "name": "Gîte du bout du monde", "time_zone": "Europe/Paris", "default_language": "fr",
    "currency": "EUR", "contact_email": "Host@Example.com", "contact_phone": "+33 1 23 45 67 89",
    "sender_email": "sejour@revenir.example", "website": "https://gite.example",
}


def test_put_creates_then_replaces_a_property(api: Any, token: Any) -> None:
    # Given a host who manages "gite"
    headers = token("gite")
    # When they create it, then replace its name
    created = api.put("/v1/admin/properties/gite", json=PROPERTY, headers=headers)
    replaced = api.put("/v1/admin/properties/gite", json={**PROPERTY, "name": "Le gîte"}, headers=headers)
    # Then the first answer is 201, the second 200, and the creation date survives the replacement
    assert created.status_code == 201
    assert replaced.status_code == 200
    body = api.get("/v1/admin/properties/gite", headers=headers).json
    assert body["name"] == "Le gîte"
    assert body["contact_email"] == "host@example.com"
    assert body["created_at"] == created.json["created_at"]
    assert body["property_id"] == "gite"


def test_bad_input_names_each_offending_field(api: Any, token: Any) -> None:
    bad = {**PROPERTY, "time_zone": "Mars/Olympus", "currency": "EUR1", "default_language": "xx",
           "contact_email": "nope"}
    response = api.put("/v1/admin/properties/gite", json=bad, headers=token("gite"))
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "invalid_request"
    fields = {d["field"] for d in error["details"]}
    assert {"body.time_zone", "body.currency", "body.default_language", "body.contact_email"} <= fields


def test_malformed_json_is_a_400_not_a_500(api: Any, token: Any) -> None:
    response = api.put("/v1/admin/properties/gite", data="{not json", headers=token("gite"),
                       content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_request"


def test_a_caller_never_reads_another_propertys_data(api: Any, token: Any) -> None:
    api.put("/v1/admin/properties/gite", json=PROPERTY, headers=token("gite"))
    response = api.get("/v1/admin/properties/gite", headers=token("other"))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert api.put("/v1/admin/properties/gite", json=PROPERTY, headers=token("other")).status_code == 403


def test_admin_routes_need_a_valid_token(api: Any) -> None:
    assert api.get("/v1/admin/properties/gite").status_code == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJwcm9wZXJ0eV9pZHMiOlsiZ2l0ZSJdfQ.x"}
    assert api.get("/v1/admin/properties/gite", headers=forged).status_code == 401


def test_unknown_property_is_a_404_with_a_stable_code(api: Any, token: Any) -> None:
    response = api.get("/v1/admin/properties/ghost", headers=token("ghost"))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "property_not_found"


def test_offers_are_stored_in_the_property_currency(api: Any, token: Any) -> None:
    headers = token("gite")
    api.put("/v1/admin/properties/gite", json=PROPERTY, headers=headers)
    ok = api.put("/v1/admin/properties/gite/offers/breakfast",
                 json={"name": "Petit-déjeuner", "kind": "option", "price": 1200, "currency": "EUR"},
                 headers=headers)
    assert ok.status_code == 200
    mixed = api.put("/v1/admin/properties/gite/offers/bike",
                    json={"name": "Vélo", "kind": "option", "price": 1500, "currency": "USD"}, headers=headers)
    assert mixed.status_code == 409
    assert mixed.json["error"]["code"] == "currency_mismatch"
    orphan = api.put("/v1/admin/properties/nowhere/offers/bike",
                     json={"name": "Vélo", "kind": "option", "price": 1500, "currency": "EUR"},
                     headers=token("nowhere"))
    assert orphan.status_code == 404
    listed = api.get("/v1/admin/properties/gite/offers", headers=headers).json["offers"]
    assert [o["offer_id"] for o in listed] == ["breakfast"]
    assert listed[0]["price"] == 1200


def test_health_and_cors_preflight(api: Any) -> None:
    assert api.get("/health").json == {"status": "ok"}
    preflight = api.open("/v1/admin/properties/gite", method="OPTIONS")
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_demo_seed_creates_the_seeds_offers(api: Any, demo: str) -> None:
    offers = api.get("/v1/admin/properties/demo/offers", headers={"Authorization": f"Bearer {demo}"}).json
    names = {o["name"] for o in offers["offers"]}
    assert "Gîte du bout du monde" in names and "Petit-déjeuner" in names
