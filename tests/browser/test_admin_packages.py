"""The back-office's prepaid packages screen (web/admin/screens/packages.js), in Chromium, in French: the
demo's package in the list, a package defined through the form, one issued by hand to a holder, its history
(ledger) and void; 0 axe-core violations."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from local import demo_packages
from tests.browser.admin_support import axe_violations, sign_in


@pytest.mark.browser
def test_define_issue_by_hand_and_read_the_history_of_a_package(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime, "/packages")
    expect(page.locator("main h1")).to_have_text("Forfaits")
    table = page.get_by_test_id("packages-table")
    expect(table).to_contain_text(demo_packages.PACKAGES[0]["name"])
    expect(table).to_contain_text("5 nuit(s)")
    assert axe_violations(page) == []

    # Define one: 3 stays at 600 €, valid 24 months, issued by hand only.
    name = f"Trois séjours {int(time.time() * 1000)}"
    page.get_by_test_id("new-package").click()
    expect(page.locator("main h1")).to_have_text("Nouveau forfait")
    page.get_by_test_id("package-name").fill(name)
    page.get_by_test_id("package-unit").select_option("stay")
    page.get_by_test_id("package-units").fill("3")
    page.get_by_test_id("package-price").fill("600")
    page.get_by_test_id("package-validity").fill("24")
    page.get_by_test_id("package-online").uncheck()
    page.get_by_test_id("save-package").click()
    expect(page.locator("main h1")).to_have_text(name)
    expect(page.get_by_test_id("holdings-table")).to_have_count(0)
    assert axe_violations(page) == []

    # Issue it by hand; the list shows it, its page shows the balance and the history.
    page.get_by_test_id("issue-first-name").fill("Anna")
    page.get_by_test_id("issue-last-name").fill("de Vries")
    page.get_by_test_id("issue-email").fill("anna.devries@example.com")
    page.get_by_test_id("issue-package").click()
    holdings = page.get_by_test_id("holdings-table")
    expect(holdings.locator("tbody tr")).to_have_count(1)
    expect(holdings).to_contain_text("anna.devries@example.com")
    expect(holdings).to_contain_text("à la main")
    holdings.locator("tbody tr a").click()
    expect(page.get_by_test_id("holding-balance")).to_have_text("3 / 3 séjour(s)")
    ledger = page.get_by_test_id("ledger-table")
    expect(ledger.locator("tbody tr")).to_have_count(1)
    expect(ledger).to_contain_text("Émission")
    assert axe_violations(page) == []

    page.get_by_test_id("void-holding").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()
    expect(page.locator("main [data-status=void]")).to_be_visible()
    expect(page.get_by_test_id("holding-balance")).to_have_text("0 / 3 séjour(s)")
    expect(ledger.locator("tbody tr")).to_have_count(2)
