"""Sign-in and memberships: the store on moto (table from template.yaml), the pre-token-generation trigger
against Cognito's documented event shapes, and the members/operator API through the local gateway."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import jwt
import pytest

from revenir.core.errors import Conflict, NotFound
from revenir.members.models import Role

# Cognito's documented pre-token-generation request (V2_0/V3_0 shape: user authentication).
AUTHENTICATION_EVENT: dict[str, Any] = {
    "version": "2",
    "triggerSource": "TokenGeneration_Authentication",
    "region": "eu-west-3",
    "userPoolId": "eu-west-3_example",
    "userName": "b8c1d2e3-0000-4000-8000-000000000001",
    "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "backofficeclient"},
    "request": {
        "userAttributes": {
            "sub": "b8c1d2e3-0000-4000-8000-000000000001",
            "cognito:user_status": "CONFIRMED",
            "email_verified": "true",
            "email": "Anne@Gite.example",
        },
        "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None},
        "scopes": ["openid", "email", "profile"],
    },
    "response": {"claimsAndScopeOverrideDetails": None},
}

# V3_0 machine-to-machine request (client-credentials grant): no user, the app client in callerContext.
CLIENT_CREDENTIALS_EVENT: dict[str, Any] = {
    "version": "3",
    "triggerSource": "TokenGeneration_ClientCredentials",
    "region": "eu-west-3",
    "userPoolId": "eu-west-3_example",
    "userName": None,
    "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "bookingengine1"},
    "request": {
        "userAttributes": {},
        "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None},
        "scopes": ["revenir/bookings", "revenir/redemptions"],
    },
    "response": {"claimsAndScopeOverrideDetails": None},
}

NOW = "2026-12-01T09:00:00Z"


@pytest.fixture
def store(aws: Any) -> Any:
    from local.template import load
    from revenir.members.store import MembershipStore

    (table,) = load().tables
    return MembershipStore(boto3.client("dynamodb"), table)


@pytest.fixture
def trigger(lambdas: Any) -> Iterator[Any]:
    """The PreTokenFunction as template.yaml declares it (module, handler, environment)."""
    from functions.identity import trigger as module

    module.claims.cache_clear()
    yield lambda event: lambdas.invoke("PreTokenFunction", event)
    module.claims.cache_clear()


# ------------------------------------------------------------------ store
def test_a_property_is_created_once_with_its_first_owner(store: Any) -> None:
    store.create_tenancy("gite", "anne@gite.example", NOW, "operator@revenir.example")
    with pytest.raises(Conflict) as err:
        store.create_tenancy("gite", "mallory@evil.example", NOW, "operator@revenir.example")
    assert err.value.code == "property_exists"
    assert store.properties_of_member("anne@gite.example") == {"gite": Role.OWNER}
    assert store.properties_of_member("mallory@evil.example") == {}
    assert [m.email for m in store.members("gite")] == ["anne@gite.example"]


def test_owners_add_and_remove_cohosts_and_a_property_keeps_one_owner(store: Any) -> None:
    store.create_tenancy("gite", "anne@gite.example", NOW, "op")
    member, changed = store.put_member("gite", "bob@gite.example", Role.STAFF, NOW, "anne@gite.example")
    assert changed and member.role == Role.STAFF
    # the same invitation twice changes nothing
    assert store.put_member("gite", "bob@gite.example", Role.STAFF, NOW, "anne@gite.example")[1] is False
    assert store.properties_of_member("bob@gite.example") == {"gite": Role.STAFF}
    # the only owner can neither be removed nor demoted
    with pytest.raises(Conflict) as err:
        store.remove_member("gite", "anne@gite.example")
    assert err.value.code == "last_owner"
    with pytest.raises(Conflict):
        store.put_member("gite", "anne@gite.example", Role.STAFF, NOW, "anne@gite.example")
    # promote Bob; then Anne may leave
    store.put_member("gite", "bob@gite.example", Role.OWNER, NOW, "anne@gite.example")
    store.remove_member("gite", "anne@gite.example")
    assert store.properties_of_member("anne@gite.example") == {}
    assert [(m.email, m.role) for m in store.members("gite")] == [("bob@gite.example", Role.OWNER)]
    assert store.tenancy("gite") is not None
    with pytest.raises(NotFound):
        store.remove_member("gite", "anne@gite.example")


def test_no_membership_without_a_tenancy(store: Any) -> None:
    with pytest.raises(NotFound) as err:
        store.put_member("nowhere", "bob@gite.example", Role.STAFF, NOW, "anne@gite.example")
    assert err.value.code == "property_not_found"
    assert store.properties_of_member("bob@gite.example") == {}


def test_booking_engine_clients_serve_only_existing_properties(store: Any) -> None:
    store.create_tenancy("gite", "anne@gite.example", NOW, "op")
    store.create_tenancy("moulin", "paul@moulin.example", NOW, "op")
    with pytest.raises(NotFound) as err:
        store.register_client("bookingengine1", ["gite", "ghost"], NOW)
    assert [d["message"] for d in err.value.details] == ["ghost"]
    assert store.properties_of_client("bookingengine1") == []
    store.register_client("bookingengine1", ["moulin", "gite", "gite"], NOW)
    store.register_client("bookingengine1", ["gite"], NOW)  # idempotent
    assert store.properties_of_client("bookingengine1") == ["gite", "moulin"]


# ------------------------------------------------------------------ pre-token-generation trigger
def test_trigger_puts_the_hosts_properties_in_both_tokens(store: Any, trigger: Any) -> None:
    store.create_tenancy("gite", "anne@gite.example", NOW, "op")
    store.create_tenancy("moulin", "paul@moulin.example", NOW, "op")
    store.put_member("moulin", "anne@gite.example", Role.STAFF, NOW, "paul@moulin.example")

    result = trigger(copy.deepcopy(AUTHENTICATION_EVENT))

    details = result["response"]["claimsAndScopeOverrideDetails"]
    for token in ("idTokenGeneration", "accessTokenGeneration"):
        claims = details[token]["claimsToAddOrOverride"]
        assert json.loads(claims["property_ids"]) == ["gite", "moulin"]  # a JSON array, as revenir.http.auth wants
        assert claims["email"] == "anne@gite.example"
    assert result["triggerSource"] == "TokenGeneration_Authentication"  # the rest of the event is returned


def test_trigger_ignores_any_user_attribute_but_a_verified_email(store: Any, trigger: Any) -> None:
    store.create_tenancy("gite", "anne@gite.example", NOW, "op")
    event = copy.deepcopy(AUTHENTICATION_EVENT)
    event["request"]["userAttributes"].update({"custom:property_ids": "gite,moulin", "property_ids": "moulin"})
    event["request"]["userAttributes"]["email"] = "mallory@evil.example"
    claims = trigger(event)["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"]
    assert claims["claimsToAddOrOverride"]["property_ids"] == "[]"

    unverified = copy.deepcopy(AUTHENTICATION_EVENT)
    unverified["request"]["userAttributes"]["email_verified"] = "false"
    details = trigger(unverified)["response"]["claimsAndScopeOverrideDetails"]
    assert details["accessTokenGeneration"]["claimsToAddOrOverride"] == {"property_ids": "[]"}


def test_trigger_names_the_booking_engines_properties(store: Any, trigger: Any) -> None:
    store.create_tenancy("gite", "anne@gite.example", NOW, "op")
    store.register_client("bookingengine1", ["gite"], NOW)
    result = trigger(copy.deepcopy(CLIENT_CREDENTIALS_EVENT))
    details = result["response"]["claimsAndScopeOverrideDetails"]
    assert details == {"accessTokenGeneration": {"claimsToAddOrOverride": {"property_ids": '["gite"]'}}}
    other = copy.deepcopy(CLIENT_CREDENTIALS_EVENT)
    other["callerContext"]["clientId"] = "unknownclient"
    unknown = trigger(other)["response"]["claimsAndScopeOverrideDetails"]
    assert unknown["accessTokenGeneration"]["claimsToAddOrOverride"]["property_ids"] == "[]"


# ------------------------------------------------------------------ members and operator API
@pytest.fixture
def pool(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from functions.identity import app as identity_app

    cognito = boto3.client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="hosts", UsernameAttributes=["email"])["UserPool"]["Id"]
    monkeypatch.setenv("USER_POOL_ID", pool_id)
    identity_app.service.cache_clear()
    yield pool_id
    identity_app.service.cache_clear()


def bearer(email: str, *property_ids: str, groups: tuple[str, ...] = ()) -> dict[str, str]:
    """A token as the trigger shapes it (property_ids and email claims), signed for the local gateway."""
    from local import tokens

    now = int(time.time())
    claims: dict[str, Any] = {"sub": email, "iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "iat": now,
                              "exp": now + 600, "property_ids": json.dumps(list(property_ids)), "email": email}
    if groups:
        claims["cognito:groups"] = list(groups)
    return {"Authorization": "Bearer " + jwt.encode(claims, tokens.secret(), algorithm="HS256")}


def test_operator_creates_a_property_and_its_owner_invites_and_removes_a_cohost(api: Any, pool: str) -> None:
    operator = bearer("op@revenir.example", groups=("operators",))
    created = api.post("/v1/operator/properties", json={"property_id": "gite", "owner_email": "Anne@Gite.example"},
                       headers=operator)
    assert created.status_code == 201, created.json
    assert created.json["owner_email"] == "anne@gite.example"
    again = api.post("/v1/operator/properties", json={"property_id": "gite", "owner_email": "x@y.example"},
                     headers=operator)
    assert again.status_code == 409
    cognito = boto3.client("cognito-idp")
    assert cognito.admin_get_user(UserPoolId=pool, Username="anne@gite.example")["Username"]

    anne = bearer("anne@gite.example", "gite")
    invited = api.post("/v1/admin/properties/gite/members", json={"email": "bob@gite.example"}, headers=anne)
    assert invited.status_code == 201 and invited.json["role"] == "staff"
    assert api.post("/v1/admin/properties/gite/members", json={"email": "bob@gite.example"},
                    headers=anne).status_code == 200
    listed = api.get("/v1/admin/properties/gite/members", headers=anne).json["members"]
    assert [(m["email"], m["role"]) for m in listed] == [("anne@gite.example", "owner"), ("bob@gite.example", "staff")]

    # staff cannot manage members, even with the property in their token
    bob = bearer("bob@gite.example", "gite")
    refused = api.post("/v1/admin/properties/gite/members", json={"email": "eve@evil.example"}, headers=bob)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "owner_required"
    assert api.delete("/v1/admin/properties/gite/members/anne@gite.example", headers=bob).status_code == 403

    assert api.delete("/v1/admin/properties/gite/members/bob@gite.example", headers=anne).status_code == 204
    last = api.delete("/v1/admin/properties/gite/members/anne@gite.example", headers=anne)
    assert last.status_code == 409 and last.json["error"]["code"] == "last_owner"


def test_operator_routes_refuse_hosts_and_bad_input(api: Any, pool: str) -> None:
    host = bearer("anne@gite.example", "gite")
    refused = api.post("/v1/operator/properties", json={"property_id": "new", "owner_email": "a@b.example"},
                       headers=host)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "operator_required"
    operator = bearer("op@revenir.example", groups=("operators",))
    bad = api.post("/v1/operator/properties", json={"property_id": "Bad Id!", "owner_email": "nope"},
                   headers=operator)
    assert bad.status_code == 400
    assert {d["field"] for d in bad.json["error"]["details"]} == {"body.property_id", "body.owner_email"}
    # a host cannot read the members of a property outside their token
    assert api.get("/v1/admin/properties/moulin/members", headers=host).status_code == 403


def test_operator_lets_a_booking_engine_client_serve_properties(api: Any, pool: str) -> None:
    operator = bearer("op@revenir.example", groups=("operators",))
    api.post("/v1/operator/properties", json={"property_id": "gite", "owner_email": "anne@gite.example"},
             headers=operator)
    cognito = boto3.client("cognito-idp")
    client_id = cognito.create_user_pool_client(UserPoolId=pool, ClientName="booking-engine",
                                                GenerateSecret=True)["UserPoolClient"]["ClientId"]
    path = f"/v1/operator/booking-engines/{client_id}/properties"
    response = api.put(path, json={"property_ids": ["gite"]}, headers=operator)
    assert response.status_code == 200, response.json
    assert response.json == {"client_id": client_id, "property_ids": ["gite"]}
    unknown = api.put("/v1/operator/booking-engines/nosuchclient/properties", json={"property_ids": ["gite"]},
                      headers=operator)
    assert unknown.status_code == 404
