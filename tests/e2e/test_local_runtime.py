"""`make run` for real: the local runtime as a subprocess, spoken to over HTTP."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Runtime


@pytest.mark.e2e
def test_serves_health_openapi_outbox_and_the_demo(runtime: Runtime) -> None:
    assert runtime.call("GET", "/health") == (200, {"status": "ok"})
    status, document = runtime.call("GET", "/v1/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.")
    assert "/v1/admin/properties/{property_id}" in document["paths"]
    status, page = runtime.call("GET", "/_local/outbox")
    assert status == 200 and "Outbox" in page
    status, demo = runtime.call("GET", "/v1/admin/properties/demo", token=runtime.token)
    assert status == 200 and demo["time_zone"] == "Europe/Brussels"
    status, index = runtime.call("GET", "/")
    assert status == 200 and "revenir-widget" in index


@pytest.mark.e2e
def test_clock_advances_on_request(runtime: Runtime) -> None:
    _, before = runtime.call("GET", "/_local/clock")
    _, after = runtime.call("POST", "/_local/clock/advance?seconds=86400")
    assert after["now"][:10] > before["now"][:10]
