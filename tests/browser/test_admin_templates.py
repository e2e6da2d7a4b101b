"""The template editor against concurrent edits and with a live preview of unsaved texts."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from revenir.guests.variables import CATALOG
from tests.browser.admin_support import call, open_screen, sign_in

ADMIN = "/v1/admin/properties/demo"


@pytest.mark.browser
def test_a_save_never_overwrites_an_edit_made_meanwhile(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime, "/emails")
    open_screen(page, "/emails/thanks")
    # someone else (another tab, the board's toggle) changes the template after the editor read it
    call(local_runtime, "PATCH", f"{ADMIN}/mail-templates/thanks", {"name": "Renamed elsewhere"})
    page.get_by_test_id("subject").fill("Mine")
    page.get_by_test_id("save").click()
    expect(page.locator(".toast")).to_contain_text("modifié entre-temps")
    expect(page.get_by_test_id("subject")).not_to_have_value("Mine")  # the latest texts are shown again
    stored = call(local_runtime, "GET", f"{ADMIN}/mail-templates/thanks")
    assert stored["name"] == "Renamed elsewhere" and stored["versions"]["fr"]["subject"] != "Mine"
    # the editor now shows the latest revision: saving again goes through and keeps the other change (the save
    # button stays disabled until the refusal's reload is done: a click in between is never silently dropped)
    expect(page.get_by_test_id("save")).to_be_enabled()
    page.get_by_test_id("subject").fill("Mine")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("preview-subject")).to_have_text("Mine")
    stored = call(local_runtime, "GET", f"{ADMIN}/mail-templates/thanks")
    assert stored["versions"]["fr"]["subject"] == "Mine" and stored["name"] == "Renamed elsewhere"
    call(local_runtime, "DELETE", f"{ADMIN}/mail-templates/thanks")


@pytest.mark.browser
def test_the_preview_follows_the_texts_before_saving(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime, "/emails")
    open_screen(page, "/emails/thanks?lang=en")
    # the variable list is the renderer's (GET …/mail-templates/variables), each with an example
    chip = page.get_by_role("button", name="{{ guest.first_name }}")
    expect(chip).to_have_attribute("title", "Prénom du client. (Martin)")  # described in the host's language
    expect(page.get_by_role("button", name="{{ review_link }}")).to_have_count(1)
    expect(page.get_by_role("button", name="{{ cart.recovery_url }}")).to_have_count(0)
    subject = page.get_by_test_id("subject")
    subject.fill("Hello ")
    subject.press("End")
    page.get_by_role("button", name="{{ guest.first_name }}").click()
    expect(page.get_by_test_id("preview-subject")).to_have_text("Hello Martin")  # rendered, not saved
    expect(subject).to_be_focused()  # typing was not interrupted by a repaint
    subject.type("!")
    expect(page.get_by_test_id("preview-subject")).to_have_text("Hello Martin!")
    page.get_by_test_id("html").fill("<p>{% if %}</p>")
    expect(page.locator("[data-preview] [role=alert]")).not_to_be_empty()
    stored = call(local_runtime, "GET", f"{ADMIN}/mail-templates/thanks")
    assert stored["customized"] is False and "Hello" not in stored["versions"]["en"]["subject"]


@pytest.mark.browser
def test_all_guests_lists_every_arrival_even_years_away(page: Any, local_runtime: Any) -> None:
    from datetime import date, timedelta

    far = date.today() + timedelta(days=3 * 365)  # beyond any window the list used to fake "all" with
    call(local_runtime, "PUT", "/v1/properties/demo/bookings/FAR-1", {
        "first_name": "Zoé", "last_name": "Lointaine", "email": "zoe@example.com", "language": "fr",
        "arrival": str(far), "departure": str(far + timedelta(days=2)), "adults": 2, "children": 0,
        "offer_ids": [], "channel": "direct"})
    sign_in(page, local_runtime, "/guests")
    expect(page.get_by_test_id("guests-table")).not_to_contain_text("Zoé Lointaine")
    with page.expect_request(lambda r: "/guests?" in r.url and "all_arrivals=true" in r.url):
        page.get_by_role("button", name="Tous les clients").click()
    expect(page.get_by_test_id("guests-table")).to_contain_text("Zoé Lointaine")
    expect(page.get_by_test_id("guests-table")).to_contain_text("Jonas Becker")  # left three days ago
    expect(page.get_by_label("Arrivée à partir du")).to_have_value("")


def test_every_variable_is_described_in_every_language() -> None:
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "web" / "admin" / "i18n"
    for lang in ("fr", "en", "nl", "de"):
        catalog = json.loads((root / f"{lang}.json").read_text())
        assert not [name for name in CATALOG if f"variable.{name}" not in catalog], lang
