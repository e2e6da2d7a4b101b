"""The gift shop on the demo page: headless Chromium fills the form (checked in the page, messages next to each
field in the guest's language), pays through the Payment Element (locally the stand-in over localstripe, 3-D
Secure included) and sees the paid state; the voucher e-mail reaches the local outbox."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.guest_support import catalog

PAYMENT_REQUESTS = ("/gift-orders", "/_local/stripe/confirm", "/v1/tokens", "/v1/payment_intents")


def outbox(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/_local/outbox.json", timeout=10) as response:
        return list(json.load(response))


def open_shop(page: Any, lang: str = "fr") -> Any:
    page.goto(f"/?lang={lang}#gift-shop")
    shop = page.locator("revenir-gift-shop")
    expect(shop.get_by_test_id("gift-form")).to_be_visible()
    expect(shop.locator("[data-field=number]")).to_be_visible()  # the Payment Element is mounted
    return shop


def fill_card(shop: Any, number: str) -> None:
    shop.locator("[data-field=number]").fill(number)
    shop.locator("[data-field=exp_month]").fill("12")
    shop.locator("[data-field=exp_year]").fill("30")
    shop.locator("[data-field=cvc]").fill("123")
    shop.locator("[data-field=postal_code]").fill("5000")


def fill_buyer(shop: Any, email: str) -> None:
    shop.get_by_test_id("gift-first-name").fill("Martin")
    shop.get_by_test_id("gift-last-name").fill("Colson")
    shop.get_by_test_id("gift-email").fill(email)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "de"])
def test_invalid_fields_show_messages_next_to_them_and_send_no_payment_request(page: Any, lang: str) -> None:
    texts = catalog(lang)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url)
            if any(part in request.url for part in PAYMENT_REQUESTS) else None)
    shop = open_shop(page, lang)
    # The buyer-chosen voucher's amount choices stay within its bounds (20 € – 1 000 €, local/demo_vouchers.py)
    presets = [int(v) for v in shop.locator("[data-testid^=gift-preset-]:not([value=other])")
               .evaluate_all("nodes => nodes.map(n => n.value)")]
    assert presets and all(2000 <= amount <= 100000 for amount in presets)
    shop.get_by_test_id("gift-product").locator("input[type=radio]").nth(1).check()  # a fixed 50 € voucher
    expect(shop.locator("[data-testid^=gift-preset-]")).to_have_count(0)
    expect(shop.get_by_test_id("gift-total")).to_have_text(
        page.evaluate("lang => new Intl.NumberFormat(lang, {style: 'currency', currency: 'EUR'}).format(50)", lang))
    shop.get_by_test_id("gift-product").locator("input[type=radio]").first.check()

    shop.get_by_test_id("gift-pay").click()  # everything empty
    for field in ("first-name", "last-name", "email"):
        expect(shop.get_by_test_id(f"gift-{field}-error")).to_have_text(texts["gift_shop.error.required"])
        expect(shop.get_by_test_id(f"gift-{field}")).to_have_attribute("aria-invalid", "true")
    described = shop.get_by_test_id("gift-email").get_attribute("aria-describedby") or ""
    assert "email-error" in described.split()
    expect(shop.get_by_test_id("gift-payment-error")).to_have_text(texts["gift_shop.error.card"])
    expect(shop.get_by_test_id("gift-status")).to_have_text(texts["gift_shop.fix_fields"])
    expect(shop.get_by_test_id("gift-first-name")).to_be_focused()

    # A wrong e-mail, an amount below the product's minimum, a recipient without an address.
    fill_buyer(shop, "martin@")
    expect(shop.get_by_test_id("gift-first-name-error")).to_have_text("")  # fixed while typing
    shop.get_by_test_id("gift-preset-other").check()
    shop.get_by_test_id("gift-amount").fill("5")
    shop.get_by_test_id("gift-is-gift").check()
    shop.get_by_test_id("gift-recipient-name").fill("Julie")
    fill_card(shop, "4242424242424242")
    shop.get_by_test_id("gift-pay").click()
    expect(shop.get_by_test_id("gift-email-error")).to_have_text(texts["gift_shop.error.email"])
    expect(shop.get_by_test_id("gift-amount-error")).to_contain_text(texts["gift_shop.error.amount"].split("{")[0])
    expect(shop.get_by_test_id("gift-recipient-email-error")).to_have_text(texts["gift_shop.error.required"])
    expect(shop.get_by_test_id("gift-payment-error")).to_have_text("")
    page.wait_for_timeout(300)
    assert sent == [], f"payment requests while the form is invalid: {sent}"


@pytest.mark.browser
@pytest.mark.parametrize("card", ["4000000000003220", "4242424242424242"])
def test_buy_a_gift_voucher_and_receive_it(page: Any, local_runtime: Any, card: str) -> None:
    email = f"acheteur-{card[-4:]}-{int(time.time())}@example.com"
    shop = open_shop(page, "en")
    expect(shop.get_by_test_id("gift-product").locator("input[type=radio]").first).to_be_checked()
    shop.get_by_test_id("gift-preset-other").check()
    shop.get_by_test_id("gift-amount").fill("80")
    fill_buyer(shop, email)
    fill_card(shop, card)
    expect(shop.get_by_test_id("gift-total")).to_have_text("€80.00")
    shop.get_by_test_id("gift-pay").click()
    if card == "4000000000003220":  # localstripe's 3-D Secure dialog, opened through confirmPayment
        page.get_by_role("button", name="Complete authentication").click()
    paid = shop.get_by_test_id("gift-paid")
    expect(paid).to_be_visible(timeout=20_000)
    expect(paid.get_by_role("heading")).to_have_text(catalog("en")["gift_shop.paid_title"])
    order_number = shop.get_by_test_id("gift-status").get_attribute("data-order-number")
    assert order_number and order_number.startswith("G")
    expect(shop.get_by_test_id("gift-status")).to_contain_text(email)
    deadline = time.monotonic() + 30
    mails: list[dict[str, Any]] = []
    while time.monotonic() < deadline:  # localstripe sends the signed webhook about a second later
        mails = [m for m in outbox(local_runtime.url) if email in " ".join(m["to"] or [])]
        if mails:
            break
        time.sleep(0.5)
    assert mails, "no gift-voucher e-mail in the outbox"
    assert order_number in mails[0]["subject"]
    assert "Martin" in (mails[0]["html"] or "")


@pytest.mark.browser
def test_a_declined_card_shows_the_failed_state_and_the_guest_can_try_again(page: Any) -> None:
    shop = open_shop(page, "nl")
    fill_buyer(shop, f"weigering-{int(time.time())}@example.com")
    fill_card(shop, "4000000000000341")  # localstripe declines this one when it is charged
    shop.get_by_test_id("gift-pay").click()
    status = shop.get_by_test_id("gift-status")
    expect(status).to_have_attribute("data-kind", "error", timeout=20_000)
    texts = catalog("nl")
    assert status.inner_text() in (texts["gift_shop.declined"], texts["gift_shop.failed"])
    expect(shop.get_by_test_id("gift-pay")).to_be_enabled()
    expect(shop.get_by_test_id("gift-paid")).to_have_count(0)


@pytest.mark.browser
def test_finding_6_host_text_in_the_gift_shop_is_text_not_html(page: Any, local_runtime: Any) -> None:
    payload = "<img src=x onerror=\"window.__xss = 1\">"
    with urllib.request.urlopen(f"{local_runtime.url}/v1/properties/demo/gift-shop", timeout=10) as response:
        shop = json.load(response)
    shop["products"][0]["name"] = payload
    shop["products"][0]["name_translations"] = {}
    shop["products"][0]["description"] = payload
    shop["products"][1]["validity"] = {"until": "2027-06-30"}
    page.route("**/v1/properties/demo/gift-shop", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(shop)))
    page.goto("/?lang=fr")
    gift_shop = page.locator("revenir-gift-shop")
    expect(gift_shop.get_by_test_id("gift-form")).to_be_visible()
    expect(gift_shop.get_by_test_id("gift-product").locator(".name").first).to_have_text(payload)
    expect(gift_shop.get_by_test_id("gift-product")).to_contain_text("Valable jusqu'au 30 juin 2027")
    assert gift_shop.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
