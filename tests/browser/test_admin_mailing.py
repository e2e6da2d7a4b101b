"""The e-mailing tool screen, end to end through `python -m local`: connect Brevo in the back-office (the real
SDK talks to the fake Brevo mounted at /_fakes), pick the list, map the fields, resync; the demo's consenting
guests arrive at the tool; an unsubscribe at the tool comes back through its webhook. axe-core finds nothing."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.admin_support import LOAD_MS, axe_violations, call, sign_in

ADMIN = "/v1/admin/properties/demo"


def fake_state(runtime: Any) -> dict[str, Any]:
    with urllib.request.urlopen(f"{runtime.url}/_fakes/brevo/_state", timeout=15) as response:
        return dict(json.loads(response.read()))


def drain(runtime: Any) -> None:
    request = urllib.request.Request(f"{runtime.url}/_local/event-sources/drain?timeout=60", method="POST")
    with urllib.request.urlopen(request, timeout=90) as response:
        assert json.loads(response.read())["drained"] is True


@pytest.mark.browser
def test_connect_brevo_pick_the_list_resync_and_take_an_unsubscribe_back(page: Any, local_runtime: Any) -> None:
    guest = "lena.mailing@example.com"  # our own guest: the shared runtime's demo guests stay as they are
    call(local_runtime, "PUT", "/v1/properties/demo/bookings/MAILING-E2E", {
        "first_name": "Lena", "last_name": "Maes", "email": guest, "language": "nl", "arrival": "2026-03-02",
        "departure": "2026-03-05", "adults": 2, "offer_ids": ["gite-bout-du-monde"], "channel": "direct",
        "total": 30000, "currency": "EUR", "marketing_consent": True})
    sign_in(page, local_runtime, "/mailing")
    expect(page.get_by_test_id("mailing-connect")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_test_id("mailing-provider").select_option("brevo")
    page.get_by_test_id("mailing-api-key").fill("xkeysib-invalid-key")  # the fake refuses keys saying "invalid"
    page.get_by_test_id("mailing-connect-submit").click()
    expect(page.locator(".field-error")).to_be_visible()
    page.get_by_test_id("mailing-api-key").fill("xkeysib-local-0123456789")
    page.get_by_test_id("mailing-connect-submit").click()
    expect(page.get_by_test_id("mailing-connection")).to_contain_text("…6789", timeout=LOAD_MS)
    assert "xkeysib-local-0123456789" not in page.content()
    page.get_by_test_id("mailing-test").click()
    expect(page.get_by_test_id("mailing-test-result")).to_contain_text("fake Brevo")
    page.get_by_test_id("mailing-list").select_option("2")
    page.get_by_test_id("mailing-save").click()
    expect(page.get_by_test_id("mailing-resync")).to_be_enabled()
    assert axe_violations(page) == []
    page.get_by_test_id("mailing-resync").click()
    expect(page.get_by_test_id("mailing-status")).not_to_contain_text("Jamais lancée")  # the resync was queued
    drain(local_runtime)
    page.get_by_role("button", name="Actualiser").click()
    expect(page.get_by_test_id("mailing-count-sent")).not_to_have_text("0")
    contacts = fake_state(local_runtime)["contacts"]
    assert "martin.dupont@example.com" in contacts and guest in contacts  # consenting guests
    assert contacts[guest]["attributes"]["FIRSTNAME"] == "Lena"
    assert contacts[guest]["attributes"]["LAST_STAY"] == "2026-03-05"
    assert "anna.devries@example.com" not in contacts  # no marketing consent

    webhook = page.get_by_test_id("mailing-webhook").input_value()
    path = webhook.split("/v1/", 1)[1]
    request = urllib.request.Request(
        f"{local_runtime.url}/_fakes/brevo/_unsubscribe", method="POST",
        data=json.dumps({"email": guest,
                         "webhook_url": f"{local_runtime.url}/v1/{path}"}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["webhook_status"] == 200
    deadline = time.monotonic() + 10
    while not call(local_runtime, "GET", f"{ADMIN}/guests/lena.mailing%40example.com")["guest"].get("unsubscribed"):
        assert time.monotonic() < deadline, "the tool's unsubscribe did not reach Revenir"
        time.sleep(0.3)
    call(local_runtime, "DELETE", f"{ADMIN}/mailing")  # leave the shared runtime as it was
