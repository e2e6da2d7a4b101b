"""The campaigns screens in a real browser: compose, count the recipients, test-send, send now, the figures;
axe-core finds nothing on the list, the composer or a sent campaign."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.admin_support import LOAD_MS, axe_violations, call, open_screen, sign_in

ADMIN = "/v1/admin/properties/demo"


@pytest.mark.browser
def test_compose_count_test_send_and_send_a_campaign(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime, "/campaigns")
    expect(page.locator("main h1")).to_have_text("Campagnes")
    assert axe_violations(page) == []
    open_screen(page, "/campaigns/new")
    expect(page.locator("main h1")).to_have_text("Nouvelle campagne")
    assert axe_violations(page) == []
    page.get_by_test_id("campaign-name").fill("Printemps au moulin")
    page.get_by_test_id("subject-fr").fill("{{ guest.first_name }}, le printemps arrive")
    page.get_by_test_id("html-fr").fill("<p>Bonjour {{ guest.first_name }}</p>")
    page.get_by_test_id("text-fr").fill("Bonjour {{ guest.first_name }}")
    page.get_by_test_id("count").click()
    expect(page.get_by_test_id("count-result")).to_contain_text("destinataires sur", timeout=LOAD_MS)
    page.get_by_test_id("save-campaign").click()
    expect(page.locator("main h1")).to_have_text("Printemps au moulin", timeout=LOAD_MS)
    campaigns = call(local_runtime, "GET", f"{ADMIN}/campaigns")["campaigns"]
    mine = next(c for c in campaigns if c["name"] == "Printemps au moulin")
    assert mine["status"] == "draft" and mine["versions"]["fr"]["text"] == "Bonjour {{ guest.first_name }}"
    # a test to an address that is not the host's: refused next to the field
    page.get_by_test_id("test-email").fill("someone@else.example")
    page.get_by_test_id("test-send").click()
    expect(page.locator("form[data-form=test] .field-error, form[data-form=test] .form-error").first).to_be_visible(
        timeout=LOAD_MS)
    contact = call(local_runtime, "GET", ADMIN)["contact_email"]
    page.get_by_test_id("test-email").fill(contact)
    page.get_by_test_id("test-send").click()
    expect(page.locator(".toast")).to_contain_text("Test envoyé", timeout=LOAD_MS)
    assert axe_violations(page) == []
    page.get_by_test_id("send-now").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.locator("main p .pill")).to_have_text("Programmée", timeout=LOAD_MS)
    expect(page.get_by_test_id("figures")).to_be_visible(timeout=LOAD_MS)
    assert axe_violations(page) == []
