"""Issue 12: client input never causes a 5xx (items 9, 10, 12, 13, 18), through the real handlers.

Bodies API Gateway passes base64-encoded are built as events and given to the function directly (the local
gateway's own handling of such bodies is its business); everything else goes through the local gateway.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from revenir.core.signing import Signer
from revenir.vouchers import stripe_signature


def invoke_raw(gateway: Any, method: str, path: str, body: bytes, content_type: str | None,
               headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """The event API Gateway sends for a body it does not take for text: base64, flagged."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    all_headers: dict[str, str] = {**headers, **({"Content-Type": content_type} if content_type else {})}
    builder = EnvironBuilder(method=method, path=path, data=b"{}", headers=list(all_headers.items()))
    request = Request(builder.get_environ())
    route, params = gateway.match(method, path)
    from local import tokens

    event = gateway.event(request, route, params, tokens.verify(headers.get("Authorization")))
    event["body"] = base64.b64encode(body).decode()
    event["isBase64Encoded"] = True
    if content_type is None:
        event["headers"].pop("content-type", None)
    result = gateway.lambdas.invoke(gateway.template.functions[route.function].name, event)
    return int(result["statusCode"]), json.loads(result["body"])


def test_finding_9_body_not_utf8_is_a_400_in_the_error_model(gateway: Any, demo: str) -> None:
    status, body = invoke_raw(gateway, "POST", "/v1/admin/properties/demo/guests", b"\xff\xfe{\x80",
                              "application/json", {"Authorization": f"Bearer {demo}"})
    assert status == 400
    assert body["error"]["code"] == "invalid_encoding"
    assert body["error"]["details"][0]["field"] == "body"


def test_finding_9_multipart_without_boundary_is_a_415(api: Any, demo: str) -> None:
    response = api.post("/v1/admin/properties/demo/guests", data=b'{"email": "a@b.example"}',
                        headers={"Authorization": f"Bearer {demo}", "Content-Type": "multipart/form-data"})
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


def test_finding_9_unsupported_content_type_is_a_415(gateway: Any, demo: str) -> None:
    status, body = invoke_raw(gateway, "POST", "/v1/admin/properties/demo/guests", b'{"email": "a@b.example"}',
                              "application/octet-stream", {"Authorization": f"Bearer {demo}"})
    assert status == 415
    assert body["error"]["code"] == "unsupported_media_type"


def test_finding_9_no_content_type_is_read_as_json(gateway: Any, demo: str) -> None:
    status, body = invoke_raw(gateway, "POST", "/v1/admin/properties/demo/guests", b"{not json",
                              None, {"Authorization": f"Bearer {demo}"})
    assert status == 400
    assert body["error"]["details"][0]["field"] == "body"


@pytest.mark.parametrize("path", ["/v1/properties/demo/unsubscribe?g=YUBiLmV4YW1wbGU&t=%C3%9F",
                                  "/v1/properties/demo/reviews/form?b=DEMO-1003&t=d%F1%84%86%AF"])
def test_finding_10_signed_link_with_non_ascii_token_is_refused_not_a_500(api: Any, demo: str, path: str) -> None:
    response = api.get(path)
    assert 400 <= response.status_code < 500
    if "unsubscribe" in path:
        assert api.post(path).status_code == 403


def test_finding_10_signer_compares_bytes() -> None:
    signer = Signer("0123456789abcdef0123")
    assert signer.verify("ß" * 24, "unsubscribe", "demo", "a@b.example") is False
    assert signer.verify(signer.sign("review", "demo", "\ud800"), "review", "demo", "\ud800") is True


def test_finding_10_stripe_signature_with_non_ascii_is_a_bad_signature() -> None:
    from revenir.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as raised:
        stripe_signature.verify(b"{}", "t=1,v1=é", ["whsec_0123456789"])
    assert raised.value.code == "bad_signature"


@pytest.mark.parametrize("raw", [
    b'{"email": "a@b.example", "n": Infinity}', b'{"email": "a@b.example", "n": NaN}',
    b'{"email": "a@b.example", "n": 1E+100000}', b'{"email": "a@b.example", "n": 5e-324}',
    b'{"email": "a@b.example", "n": ' + b"9" * 5000 + b"}",
    b"[" * 5000 + b"]" * 5000, b'{"email": ' + b"[" * 40 + b"]" * 40 + b"}",
])
def test_finding_12_out_of_range_numbers_and_deep_nesting_are_a_400(api: Any, demo: str, raw: bytes) -> None:
    response = api.post("/v1/admin/properties/demo/guests", data=raw,
                        headers={"Authorization": f"Bearer {demo}", "Content-Type": "application/json"})
    assert response.status_code == 400, response.data[:300]
    assert response.json["error"]["details"][0]["field"] == "body"


def test_finding_12_tiny_float_in_cart_settings_is_a_400(api: Any, demo: str) -> None:
    settings = {"code_validity_hours": 48, "delay_minutes": 60, "discount_percent": 5e-324,
                "second_reminder_hours": 1}
    response = api.put("/v1/admin/properties/demo/cart-settings", json=settings,
                       headers={"Authorization": f"Bearer {demo}"})
    assert response.status_code == 400


def test_finding_13_lone_surrogate_is_a_400(api: Any, demo: str) -> None:
    response = api.post("/v1/admin/properties/demo/guests", data=b'{"email": "a@b.example", "first_name": "\\ud800"}',
                        headers={"Authorization": f"Bearer {demo}", "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "surrogate" in response.json["error"]["message"]


@pytest.mark.parametrize("zone", ["Europe", "Europe/" + "x" * 300, "../../etc/passwd"])
def test_finding_13_time_zone_that_is_a_directory_or_too_long_is_a_400(api: Any, token: Any, zone: str) -> None:
    prop = {"name": "Gîte", "time_zone": zone, "default_language": "fr", "currency": "EUR",
            "contact_email": "host@example.com"}
    response = api.put("/v1/admin/properties/gite", json=prop, headers=token("gite"))
    assert response.status_code == 400
    assert any(d["field"] == "body.time_zone" for d in response.json["error"]["details"])


def test_finding_18_generic_500_handler() -> None:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from revenir.http.app import create_app

    app = create_app()

    @app.get("/boom")
    def boom() -> dict[str, Any]:
        raise RuntimeError("secret internals")

    event = {"version": "2.0", "routeKey": "GET /boom", "rawPath": "/boom", "rawQueryString": "", "headers": {},
             "requestContext": {"http": {"method": "GET", "path": "/boom", "sourceIp": "1.2.3.4"},
                                "requestId": "req-42", "routeKey": "GET /boom", "stage": "$default"},
             "isBase64Encoded": False}
    result = app.resolve(event, LambdaContext())
    assert result["statusCode"] == 500
    assert "secret internals" not in result["body"]
    body = json.loads(result["body"])
    assert body["error"] == {"code": "internal_error", "message": body["error"]["message"],
                             "details": [{"request_id": "req-42"}]}
    assert "req-42" in body["error"]["message"]


@pytest.mark.parametrize(("code", "transient", "status"), [("MessageRejected", False, 409),
                                                           ("TooManyRequestsException", True, 503)])
def test_finding_13_a_send_the_mail_service_rejects_is_not_a_500(code: str, transient: bool, status: int) -> None:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from revenir.http.app import create_app
    from revenir.mail.sender import SendError

    app = create_app()

    @app.post("/send")
    def send() -> dict[str, Any]:
        raise SendError("Email address is not verified: host@other.example", code=code, transient=transient)

    event = {"version": "2.0", "routeKey": "POST /send", "rawPath": "/send", "rawQueryString": "", "headers": {},
             "requestContext": {"http": {"method": "POST", "path": "/send", "sourceIp": "1.2.3.4"},
                                "requestId": "req-1", "routeKey": "POST /send", "stage": "$default"},
             "isBase64Encoded": False}
    result = app.resolve(event, LambdaContext())
    assert result["statusCode"] == status
    body = json.loads(result["body"])
    assert body["error"]["details"] == [{"provider_code": code}]
    assert "host@other.example" not in result["body"]


@pytest.mark.parametrize("path", ["/v1/admin/properties/demo/reviews?to=9999-12-31",
                                  "/v1/admin/properties/demo/reviews?from=0001-01-01&to=9999-12-31",
                                  "/v1/admin/properties/demo/carts/stats?date_to=0001-01-01",
                                  "/v1/admin/properties/demo/carts/stats?date_from=9999-12-31&date_to=9999-12-31",
                                  "/v1/admin/properties/demo/guests?arrival_to=9999-12-31"])
def test_finding_11_query_dates_at_the_edges_are_never_a_500(api: Any, demo: str, path: str) -> None:
    response = api.get(path, headers={"Authorization": f"Bearer {demo}"})
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("path, field", [
    ("/v1/admin/properties/demo/carts/stats?date_to=9999-12-31", "date_to"),
    ("/v1/admin/properties/demo/carts/stats?date_from=0001-01-01", "date_from"),
    ("/v1/admin/properties/demo/guests?arrival_to=9999-12-31", "arrival_to"),
    ("/v1/admin/properties/demo/guests/export.csv?arrival_from=0001-01-01", "arrival_from"),
    ("/v1/admin/properties/demo/reviews?to=9999-12-31", "to"),
])
def test_finding_11_query_dates_out_of_range_are_a_400_naming_the_field(api: Any, demo: str, path: str,
                                                                        field: str) -> None:
    response = api.get(path, headers={"Authorization": f"Bearer {demo}"})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    details = response.get_json()["error"]["details"]
    assert any(d["field"].endswith(field) for d in details), details


def test_finding_9_the_gateway_passes_a_body_that_is_not_utf8_base64_encoded(api: Any, demo: str) -> None:
    """Through the local gateway itself (as API Gateway does): no werkzeug 500, the handler's 400."""
    response = api.post("/v1/admin/properties/demo/guests", data=b"\xff\xfe{\x80",
                        headers={"Authorization": f"Bearer {demo}", "Content-Type": "application/json"})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["error"]["code"] == "invalid_encoding"


def test_finding_18_the_gateway_answers_a_failed_function_without_its_exception_text(
        gateway: Any, monkeypatch: Any) -> None:
    from werkzeug.test import Client

    def fail(name: str, event: dict[str, Any]) -> Any:
        raise RuntimeError("secret internals: /var/task/app.py line 42")

    monkeypatch.setattr(gateway.lambdas, "invoke", fail)
    response = Client(gateway).get("/health")
    assert response.status_code == 500
    assert response.get_json() == {"message": "Internal Server Error"}
    assert "secret internals" not in response.get_data(as_text=True)
