"""The back-office's screens in a real browser: headings, navigation, axe-core, phone width, languages, sign-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.admin_support import SCREENS, axe_violations, open_screen, screenshot, sign_in

ENGLISH_HEADINGS = {"/": "Dashboard", "/codes": "Promo codes", "/vouchers": "Gift vouchers", "/guests": "Guests",
                    "/emails": "E-mails", "/reviews": "Reviews", "/settings": "Settings",
                    "/sales": "Private sales and partners"}


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > 391 && !el.closest('.table-wrap'))
  .slice(0, 8).map(el => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`)"""


def shot_name(route: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", route.split("%40")[0]).strip("-") or "dashboard"


@pytest.mark.browser
def test_every_screen_has_its_heading_and_no_axe_violation(page: Any, local_runtime: Any) -> None:
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    sign_in(page, local_runtime)
    failures: dict[str, Any] = {}
    for route, heading in SCREENS.items():
        open_screen(page, route)
        expect(page.locator("main h1")).to_have_text(heading)
        expect(page.locator("main [role=alert].error")).to_have_count(0)
        violations = axe_violations(page)
        if violations:
            failures[route] = violations
        if route.count("/") == 1:  # the sections' main screens illustrate the host's guide
            screenshot(page, f"fr-{shot_name(route)}")
    assert not failures, failures
    assert not console_errors


@pytest.mark.browser
def test_the_keyboard_alone_toggles_e_mails_and_escape_cancels_a_confirmation(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime, "/emails")
    switch = page.locator("[data-template=post_stay_offer]").get_by_role("switch")
    switch.focus()
    page.keyboard.press("Space")
    expect(switch).to_have_attribute("aria-checked", "true")
    expect(switch).to_be_focused()  # the focus stays on the switch after the board is drawn again
    page.keyboard.press("Enter")
    expect(switch).to_have_attribute("aria-checked", "false")

    open_screen(page, "/guests/martin.dupont%40example.com")
    page.get_by_test_id("unsubscribe").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Martin Dupont")
    expect(dialog.get_by_role("button", name="Annuler")).to_be_focused()  # the safe choice is the default
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_test_id("email-status")).to_have_text("Joignable")  # nothing happened


@pytest.mark.browser
def test_the_menu_reaches_every_section_and_routes_are_deep_links(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime)
    nav = page.get_by_role("navigation", name="Menu principal")
    links = nav.get_by_role("link")
    expect(links).to_have_count(11)
    for name, heading in [("Clients", "Clients"), ("Avis", "Avis"), ("Codes promo", "Codes promo")]:
        nav.get_by_role("link", name=name).click()
        expect(page.locator("main h1")).to_have_text(heading)
        expect(nav.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
    # A deep link opens straight on its screen (the token stays in this tab's session).
    page.goto("/admin/#/emails/thanks")
    expect(page.locator("main h1")).to_have_text("Remerciements")
    expect(page).to_have_title(re.compile("E-mails"))


@pytest.mark.browser
def test_languages_from_the_address_and_the_menu_are_remembered(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime, lang="en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for route, heading in ENGLISH_HEADINGS.items():
        open_screen(page, route)
        expect(page.locator("main h1")).to_have_text(heading)
        screenshot(page, f"en-{shot_name(route)}")
    page.get_by_label("Language").select_option("de")
    expect(page.locator("main h1")).to_have_text("Private Verkäufe und Partner")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.goto("/admin/#/guests")  # no ?lang: the choice was remembered
    expect(page.locator("main h1")).to_have_text("Gäste")
    page.get_by_label("Sprache").select_option("nl")
    expect(page.locator("main h1")).to_have_text("Gasten")
    # Dates and money follow the language (nl-BE): "€ 270,00" style amounts, Dutch month names.
    expect(page.get_by_test_id("guests-table")).to_contain_text("€")


@pytest.mark.browser
def test_phone_width_has_no_horizontal_scrolling(page: Any, local_runtime: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, local_runtime)
    wide: dict[str, int] = {}
    for route in SCREENS:
        open_screen(page, route)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 390:
            wide[route] = page.evaluate(WIDEST)
    assert not wide, f"horizontal scrolling at 390 px: {wide}"
    # The menu folds into a button on a phone, and opens with the keyboard.
    toggle = page.get_by_role("button", name="Menu", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Avis").click()
    expect(page.locator("main h1")).to_have_text("Avis")
    screenshot(page, "fr-phone-reviews")


@pytest.mark.browser
def test_the_sign_in_link_is_read_once_and_an_expired_session_goes_back_to_sign_in(page: Any,
                                                                                    local_runtime: Any) -> None:
    sign_in(page, local_runtime)
    assert "token=" not in page.url  # removed from the address bar
    expect(page.get_by_test_id("property-name")).to_contain_text("Moulin")
    # The API refuses a token (expired or revoked): back to sign-in, nothing of the screen left.
    page.evaluate("() => sessionStorage.setItem('revenir.admin.token', 'eyJhbGciOiJIUzI1NiJ9."
                  "eyJleHAiOjQxMDI0NDQ4MDAsInByb3BlcnR5X2lkcyI6WyJkZW1vIl19.bad')")
    page.evaluate("() => { location.hash = '#/guests'; }")
    expect(page.get_by_test_id("expired")).to_be_visible()
    expect(page.locator("main h1")).to_have_text("Connexion à Revenir")
    expect(page.locator("nav")).to_have_count(0)
    # A token past its expiry is not even sent: straight to sign-in, no request, no half-drawn screen.
    sign_in(page, local_runtime)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/v1/" in r.url else None)
    page.evaluate("() => sessionStorage.setItem('revenir.admin.token', 'eyJhbGciOiJIUzI1NiJ9."
                  "eyJleHAiOjE2MDAwMDAwMDAsInByb3BlcnR5X2lkcyI6WyJkZW1vIl19.x')")  # exp: September 2020
    page.evaluate("() => { location.hash = '#/reviews'; }")
    expect(page.get_by_test_id("expired")).to_be_visible()
    expect(page.locator("nav")).to_have_count(0)
    assert not requests
    # Signing out also lands on the sign-in page.
    sign_in(page, local_runtime)
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("main h1")).to_have_text("Connexion à Revenir")
    page.goto("/admin/#/codes")
    expect(page.locator("main h1")).to_have_text("Connexion à Revenir")
