"""The guest-facing pages in each language, in Chromium: the demo page with the booking widget, the gift shop
and the reviews widget show only their own language's texts (checked against the catalogs), amounts and dates
in the guest's locale, 0 axe-core violations, no console error, no horizontal scroll on a 390 px phone.
`make screenshots` also writes their pictures (two languages, two widths) into docs/screenshots/."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from local import demo_packages, demo_reviews
from tests.browser.admin_support import axe_violations
from tests.browser.guest_support import (
    LANGUAGES,
    catalog,
    guest_screenshot,
    horizontal_overflow,
    untranslated,
    watch_console,
)

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
PICTURED = ("fr", "en")


def call(runtime: Any, method: str, path: str, data: bytes, content_type: str) -> None:
    request = urllib.request.Request(f"{runtime.url}{path}", data=data, method=method, headers={
        "Authorization": f"Bearer {runtime.token}", "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


@pytest.fixture(scope="module")
def reviews(local_runtime: Any) -> dict[str, Any]:
    """The demo's imported reviews (the same imports as test_reviews_widget: importing again changes nothing)."""
    base = "/v1/admin/properties/demo/reviews/imports"
    call(local_runtime, "POST", f"{base}/booking", demo_reviews.booking_csv().encode(), "text/csv")
    call(local_runtime, "POST", f"{base}/airbnb", demo_reviews.airbnb_json().encode(), "application/json")
    with urllib.request.urlopen(f"{local_runtime.url}/v1/properties/demo/reviews/summary?latest=3") as response:
        summary: dict[str, Any] = json.load(response)
    return summary


@pytest.fixture
def guest_page(browser: Any, local_runtime: Any, request: Any) -> Iterator[Any]:
    """A page at the test's width (`width` parameter), a visitor in Brussels with an English browser: the page's
    lang, not the browser's, must decide."""
    width, height = WIDTHS[getattr(request, "param", "desktop")]
    context = browser.new_context(base_url=local_runtime.url, locale="en-US", timezone_id="Europe/Brussels",
                                  viewport={"width": width, "height": height})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.console_errors = watch_console(page)
    page.page_errors = []
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not page.page_errors, f"JavaScript errors on the page: {page.page_errors}"


def open_demo(page: Any, lang: str) -> None:
    page.goto(f"/?lang={lang}")
    expect(page.get_by_test_id("basket-total")).to_be_visible()
    shop = page.locator("revenir-gift-shop")
    expect(shop.get_by_test_id("gift-form")).to_be_visible()
    expect(shop.locator("[data-field=number]")).to_be_visible()
    expect(page.locator("revenir-reviews").get_by_test_id("reviews-count")).to_be_visible()
    page.get_by_test_id("option-petit-dejeuner").check()


@pytest.mark.browser
@pytest.mark.parametrize("guest_page", ["desktop", "phone"], indirect=True)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_shows_only_its_own_texts_formats_and_passes_axe(guest_page: Any, lang: str,
                                                                       reviews: dict[str, Any]) -> None:
    page = guest_page
    open_demo(page, lang)
    texts = catalog(lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(texts["demo.heading"])
    expect(page.locator("revenir-widget").locator("h2")).to_have_text(texts["widget.summary"])
    expect(page.locator("revenir-gift-shop").locator("h2")).to_have_text(texts["gift_shop.title"])
    expect(page.locator("revenir-reviews").locator("h2")).to_have_text(texts["reviews_widget.title"])
    # The prepaid package on sale (local/demo_packages.py): its section, name, units and price in this language.
    package = demo_packages.PACKAGES[0]
    packages = page.locator("revenir-gift-shop").get_by_test_id("gift-packages")
    expect(packages.locator("legend")).to_have_text(texts["gift_shop.package.legend"])
    expect(packages).to_contain_text(package["name_translations"].get(lang, package["name"]))
    expect(packages.get_by_test_id("package-covers")).to_have_text(
        texts["gift_shop.package.covers.night.other"].format(count=package["units"]))
    expect(packages.get_by_test_id("package-price")).to_have_text(page.evaluate(
        "([lang, cents]) => new Intl.NumberFormat(lang, {style: 'currency', currency: 'EUR'}).format(cents / 100)",
        [lang, package["price"]]))

    assert untranslated(page, lang) == []

    # Money, dates and numbers from Intl in the guest's locale (never French amounts in English).
    total = page.get_by_test_id("basket-total")
    expected = page.evaluate("([lang, cents]) => new Intl.NumberFormat(lang, {style: 'currency', currency: 'EUR'})"
                             ".format(cents / 100)", [lang, int(total.get_attribute("data-amount") or 0)])
    expect(total).to_have_text(expected)
    arrival = page.get_by_test_id("arrival").input_value()
    day = page.evaluate("([lang, iso]) => new Intl.DateTimeFormat(lang, {day: 'numeric', month: 'long', "
                        "year: 'numeric', timeZone: 'UTC'}).format(new Date(iso + 'T00:00:00Z'))", [lang, arrival])
    expect(page.get_by_test_id("stay")).to_contain_text(day)
    average = page.evaluate("([lang, value]) => new Intl.NumberFormat(lang, {minimumFractionDigits: 1, "
                            "maximumFractionDigits: 1}).format(value)", [lang, reviews["average"]])
    expect(page.locator("revenir-reviews").get_by_test_id("reviews-average")).to_have_text(average)

    assert axe_violations(page) == []
    assert horizontal_overflow(page) <= 0
    assert page.console_errors == [], page.console_errors


@pytest.mark.browser
@pytest.mark.parametrize("guest_page", ["desktop", "phone"], indirect=True)
@pytest.mark.parametrize("lang", PICTURED)
def test_pictures_of_the_guest_pages(guest_page: Any, lang: str, reviews: dict[str, Any],
                                     request: Any) -> None:
    """The demo page with its widget, the gift shop (with its field messages) and the reviews widget."""
    page = guest_page
    width = request.node.callspec.params["guest_page"]
    open_demo(page, lang)
    page.get_by_test_id("promo-input").fill("BIENVENUE10")
    page.get_by_test_id("promo-apply").click()
    expect(page.get_by_test_id("discount-amount")).to_be_visible()
    guest_screenshot(page, f"guest-demo-{lang}-{width}")
    shop = page.locator("revenir-gift-shop")
    shop.get_by_test_id("gift-first-name").fill("Martin")
    shop.get_by_test_id("gift-email").fill("martin@")
    shop.get_by_test_id("gift-pay").click()
    expect(shop.get_by_test_id("gift-email-error")).to_have_text(catalog(lang)["gift_shop.error.email"])
    guest_screenshot(shop, f"guest-gift-shop-{lang}-{width}")
    guest_screenshot(page.locator("revenir-reviews"), f"guest-reviews-{lang}-{width}")
    assert horizontal_overflow(page) <= 0
    assert axe_violations(page) == []


@pytest.mark.browser
def test_the_language_comes_from_the_element_then_the_page_then_the_property(guest_page: Any) -> None:
    page = guest_page
    page.goto("/?lang=de")
    widget, shop = page.locator("revenir-widget"), page.locator("revenir-gift-shop")
    expect(shop.get_by_test_id("gift-form")).to_be_visible()
    expect(widget.locator("h2")).to_have_text(catalog("de")["widget.summary"])  # <html lang="de">

    widget.evaluate("element => element.setAttribute('lang', 'nl-BE')")  # the element's own lang wins
    expect(widget.locator("h2")).to_have_text(catalog("nl")["widget.summary"])
    expect(shop.locator("h2")).to_have_text(catalog("de")["gift_shop.title"])

    page.evaluate("() => document.documentElement.setAttribute('lang', 'it')")  # a language we do not speak
    expect(shop.locator("h2")).to_have_text(catalog("fr")["gift_shop.title"])  # the property's (demo: fr)
    expect(page.locator("revenir-reviews").locator("h2")).to_have_text(catalog("fr")["reviews_widget.title"])
    expect(widget.locator("h2")).to_have_text(catalog("nl")["widget.summary"])
