"""Issue 12, item 7 (fixed on main before this branch): tokens never grant a property by splitting text, and
local tokens need the Bearer prefix and an expiry. Named after the finding, so the regression stays visible."""

from __future__ import annotations

import time

import jwt
import pytest

from local import tokens
from revenir.http.auth import property_ids_from_claims


@pytest.mark.parametrize("claim", ['["a b"]', '["demo,other"]', "demo other", "demo,other", "[demo other]",
                                   ["demo other"]])
def test_finding_7_property_ids_with_a_space_or_comma_grant_nothing(claim: object) -> None:
    assert property_ids_from_claims({"sub": "x", "property_ids": claim}) == frozenset()


def test_finding_7_only_a_json_list_of_ids_grants_properties() -> None:
    assert property_ids_from_claims({"sub": "x", "property_ids": '["demo","moulin"]'}) == {"demo", "moulin"}


def _encode(claims: dict[str, object]) -> str:
    return jwt.encode(claims, tokens.secret(), algorithm="HS256")


def test_finding_7_local_token_without_exp_is_refused() -> None:
    claims: dict[str, object] = {"sub": "x", "iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "property_ids": '["demo"]'}
    assert tokens.verify("Bearer " + _encode(claims)) is None
    assert tokens.verify("Bearer " + _encode({**claims, "exp": int(time.time()) + 60})) is not None


def test_finding_7_local_token_without_the_bearer_prefix_is_refused() -> None:
    token = tokens.mint(["demo"])
    assert tokens.verify(token) is None
    assert tokens.verify("Basic " + token) is None
    assert tokens.verify("Bearer " + token) is not None
