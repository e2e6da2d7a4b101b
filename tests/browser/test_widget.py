"""The booking widget on the demo page (web/index.html + web/revenir-widget.js), in a real browser."""

from __future__ import annotations

import html
import json
import re
import time
import urllib.request
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

# The seeded demo property's prices (local/demo.py), in cents per night.
PRICES = {
    "gite-bout-du-monde": 12000, "gite-insolite": 9500, "chambre-jardin": 8500, "chambre-meuse": 9000,
    "moulin-d-en-haut": 42000, "petit-dejeuner": 1200, "lit-bebe": 1000, "bien-etre": 2500, "velo": 1500,
}


def euros(cents: int) -> str:
    """What Intl.NumberFormat("fr-FR", {style: "currency", currency: "EUR"}) shows, spaces normalised."""
    units, rest = divmod(abs(cents), 100)
    grouped = f"{units:,}".replace(",", " ")
    return f"{'-' if cents < 0 else ''}{grouped},{rest:02d} €"


def shown(text: str) -> str:
    """Browser text with its no-break and narrow no-break spaces (and the minus sign) made plain."""
    return text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2212", "-").strip()


def percent_off(amount: int, percent: int) -> int:
    return int((Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def stay_nights(page: Any) -> int:
    arrival = date.fromisoformat(page.get_by_test_id("arrival").input_value())
    departure = date.fromisoformat(page.get_by_test_id("departure").input_value())
    return (departure - arrival).days


def build_basket(page: Any, accommodation: str, options: list[str]) -> list[int]:
    """Choose an accommodation and options on the demo page; returns the line amounts the page should compute."""
    page.goto("/")
    expect(page.get_by_test_id("basket-total")).to_be_visible()
    page.get_by_test_id("accommodation").select_option(accommodation)
    for option in options:
        page.get_by_test_id(f"option-{option}").check()
    nights = stay_nights(page)
    return [PRICES[offer] * nights for offer in [accommodation, *options]]


@pytest.mark.browser
def test_demo_page_prices_the_basket_and_offers_a_promo_field(page: Any) -> None:
    lines = build_basket(page, "moulin-d-en-haut", ["velo"])

    assert stay_nights(page) == 3  # the default stay: three nights, two weeks from now
    expected = sum(lines)
    assert expected == (42000 + 1500) * 3
    total = page.get_by_test_id("basket-total")
    expect(total).to_have_attribute("data-amount", str(expected))
    assert shown(total.inner_text()) == euros(expected) == "1 305,00 €"
    expect(page.get_by_test_id("basket-lines").locator("li")).to_have_count(2)

    expect(page.get_by_label("Code promo")).to_be_visible()
    expect(page.get_by_test_id("promo-input")).to_be_editable()
    expect(page.get_by_test_id("promo-apply")).to_have_text("Appliquer")
    expect(page.get_by_test_id("promo-message")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_test_id("discount-amount")).to_have_count(0)
    expect(page.get_by_test_id("total-after-discount")).to_have_count(0)


@pytest.mark.browser
def test_without_a_page_language_it_speaks_the_widget_speaks_the_property_s(page: Any) -> None:
    """Issue 15 item 1: the page's language, else the property's (the demo property is French), else English."""
    build_basket(page, "chambre-jardin", [])
    apply = page.get_by_test_id("promo-apply")
    page.evaluate("document.documentElement.lang = 'en'")
    expect(apply).to_have_text("Apply")
    page.evaluate("document.documentElement.lang = 'es'")  # a language Revenir does not speak
    expect(apply).to_have_text("Appliquer")
    expect(page.get_by_label("Code promo")).to_be_visible()
    page.evaluate("document.documentElement.removeAttribute('lang')")  # no language at all
    expect(apply).to_have_text("Appliquer")


@pytest.mark.browser
def test_an_unknown_code_is_reported_whether_or_not_the_endpoint_exists(page: Any) -> None:
    """A 404 (no codes/validate endpoint yet) and {"valid": false, "reason": "unknown"} read the same."""
    build_basket(page, "chambre-jardin", [])
    page.get_by_test_id("promo-input").fill("INCONNU2099")
    page.get_by_test_id("promo-apply").click()

    expect(page.get_by_test_id("promo-message")).to_contain_text("Code inconnu")
    expect(page.get_by_test_id("discount-amount")).to_have_count(0)
    expect(page.get_by_test_id("basket-total")).to_have_attribute("data-amount", str(8500 * 3))


@pytest.mark.browser
def test_a_ten_percent_code_discounts_the_basket_live(page: Any) -> None:
    lines = build_basket(page, "gite-bout-du-monde", ["petit-dejeuner", "bien-etre"])
    total = sum(lines)
    expect(page.get_by_test_id("basket-total")).to_have_attribute("data-amount", str(total))

    page.get_by_test_id("promo-input").fill("BIENVENUE10")
    page.get_by_test_id("promo-apply").click()

    discount = sum(percent_off(line, 10) for line in lines)
    expect(page.get_by_test_id("discount-amount")).to_have_attribute("data-amount", str(discount))
    after = page.get_by_test_id("total-after-discount")
    expect(after).to_have_attribute("data-amount", str(total - discount))
    assert shown(after.inner_text()) == euros(total - discount)
    assert shown(page.get_by_test_id("discount-amount").inner_text()) == "-" + euros(discount)
    expect(page.get_by_test_id("promo-message")).to_contain_text("BIENVENUE10")

    # The basket changes while the code is applied: the widget prices it again by itself.
    page.get_by_test_id("option-velo").check()
    lines.append(PRICES["velo"] * stay_nights(page))
    total, discount = sum(lines), sum(percent_off(line, 10) for line in lines)
    expect(page.get_by_test_id("basket-total")).to_have_attribute("data-amount", str(total))
    expect(page.get_by_test_id("discount-amount")).to_have_attribute("data-amount", str(discount))
    expect(page.get_by_test_id("total-after-discount")).to_have_attribute("data-amount", str(total - discount))


@pytest.mark.browser
def test_the_abandoned_cart_recovery_link_restores_the_basket_and_applies_the_code(page: Any,
                                                                                   local_runtime: Any) -> None:
    """The demo page plays the booking engine: checkout, leave, the reminder comes (local clock moved on); its
    recovery link brings the same stay back in the guest's language, with the reminder's code applied."""
    email = f"relance-{int(time.time() * 1000)}@example.com"
    page.goto("/?lang=en")
    expect(page.get_by_test_id("basket-total")).to_be_visible()
    page.get_by_test_id("accommodation").select_option("chambre-meuse")
    page.get_by_test_id("option-velo").check()
    page.get_by_test_id("departure").fill(str(date.fromisoformat(page.get_by_test_id("arrival").input_value())
                                              + timedelta(days=2)))
    page.get_by_test_id("departure").dispatch_event("change")
    lines = [PRICES["chambre-meuse"] * 2, PRICES["velo"] * 2]
    expect(page.get_by_test_id("basket-total")).to_have_attribute("data-amount", str(sum(lines)))
    arrival, departure = page.get_by_test_id("arrival").input_value(), page.get_by_test_id("departure").input_value()
    page.get_by_test_id("checkout-email").fill(email)
    page.get_by_test_id("checkout-start").click()
    expect(page.get_by_test_id("checkout-status")).to_have_attribute("data-recovery-url", re.compile("cart="))

    time.sleep(1)  # the execution enters its Wait state
    urllib.request.urlopen(urllib.request.Request(f"{local_runtime.url}/_local/clock/advance?seconds=3700",
                                                  data=b"", method="POST"), timeout=30).read()
    deadline, reminder = time.monotonic() + 30, None
    while reminder is None and time.monotonic() < deadline:
        with urllib.request.urlopen(f"{local_runtime.url}/_local/outbox.json", timeout=10) as response:
            reminder = next((m for m in json.load(response) if email in (m.get("to") or [])), None)
        time.sleep(0.3)
    assert reminder is not None, "no reminder in the outbox"
    links = [html.unescape(link) for link in re.findall(r'href="([^"]+)"', reminder["html"] or "")]
    link = next(link for link in links if "revenir_code=" in link)
    code = parse_qs(urlsplit(link).query)["revenir_code"][0]
    assert code.startswith("RETOUR-")

    fresh = page.context.new_page()  # the guest opens the link from the e-mail
    fresh.goto(link)
    expect(fresh.get_by_test_id("resumed")).to_be_visible()
    expect(fresh.locator("html")).to_have_attribute("lang", "en")
    expect(fresh.get_by_test_id("accommodation")).to_have_value("chambre-meuse")
    expect(fresh.get_by_test_id("option-velo")).to_be_checked()
    expect(fresh.get_by_test_id("arrival")).to_have_value(arrival)
    expect(fresh.get_by_test_id("departure")).to_have_value(departure)
    expect(fresh.get_by_test_id("basket-total")).to_have_attribute("data-amount", str(sum(lines)))
    discount = sum(percent_off(line, 10) for line in lines)
    expect(fresh.get_by_test_id("discount-amount")).to_have_attribute("data-amount", str(discount))
    expect(fresh.get_by_test_id("promo-input")).to_have_value(code)
    expect(fresh.get_by_test_id("promo-message")).to_contain_text(f"Code {code} applied")
