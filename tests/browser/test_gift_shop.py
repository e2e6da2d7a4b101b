"""The gift shop on the demo page: headless Chromium buys a voucher through localstripe's Stripe.js (card
element, 3-D Secure with confirmCardPayment), then finds the voucher e-mail in the local outbox."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect


def outbox(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/_local/outbox.json", timeout=10) as response:
        return list(json.load(response))


@pytest.mark.browser
@pytest.mark.parametrize("card", ["4000000000003220", "4242424242424242"])
def test_buy_a_gift_voucher_and_receive_it(page: Any, local_runtime: Any, card: str) -> None:
    email = f"acheteur-{card[-4:]}-{int(time.time())}@example.com"
    page.goto("/")
    shop = page.locator("revenir-gift-shop")
    expect(shop.get_by_test_id("gift-form")).to_be_visible()
    shop.get_by_test_id("gift-product").select_option(index=0)  # the demo's buyer-chosen "Chèque cadeau"
    shop.get_by_test_id("gift-amount").fill("80")
    shop.get_by_test_id("gift-first-name").fill("Martin")
    shop.get_by_test_id("gift-last-name").fill("Colson")
    shop.get_by_test_id("gift-email").fill(email)
    card_box = shop.get_by_test_id("gift-card")
    card_box.get_by_placeholder("number").fill(card)
    card_box.get_by_placeholder("exp_month").fill("12")
    card_box.get_by_placeholder("exp_year").fill("30")
    card_box.get_by_placeholder("cvc").fill("123")
    card_box.get_by_placeholder("postal_code").fill("5000")
    shop.get_by_test_id("gift-pay").click()
    if card == "4000000000003220":  # localstripe's 3-D Secure dialog, opened by confirmCardPayment
        page.get_by_role("button", name="Complete authentication").click()
    status = shop.get_by_test_id("gift-status")
    expect(status).to_contain_text("Merci", timeout=20_000)
    order_number = status.get_attribute("data-order-number")
    deadline = time.monotonic() + 30
    mails: list[dict[str, Any]] = []
    while time.monotonic() < deadline:  # localstripe sends the signed webhook about a second later
        mails = [m for m in outbox(local_runtime.url) if email in " ".join(m["to"] or [])]
        if mails:
            break
        time.sleep(0.5)
    assert mails, "no gift-voucher e-mail in the outbox"
    assert order_number and order_number in mails[0]["subject"]
    assert "80,00" in (mails[0]["html"] or "") and "Martin" in (mails[0]["html"] or "")


@pytest.mark.browser
def test_finding_6_host_text_in_the_gift_shop_is_text_not_html(page: Any, local_runtime: Any) -> None:
    payload = "<img src=x onerror=\"window.__xss = 1\">"
    with urllib.request.urlopen(f"{local_runtime.url}/v1/properties/demo/gift-shop", timeout=10) as response:
        shop = json.load(response)
    shop["products"][0]["name"] = payload
    shop["products"][0]["name_translations"] = {}
    page.route("**/v1/properties/demo/gift-shop", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(shop)))
    page.goto("/")
    gift_shop = page.locator("revenir-gift-shop")
    expect(gift_shop.get_by_test_id("gift-form")).to_be_visible()
    assert payload in gift_shop.get_by_test_id("gift-product").locator("option").first.text_content()
    assert gift_shop.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
