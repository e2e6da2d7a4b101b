"""Prepaid packages in the gift shop (issue 17 item 6), in Chromium on the demo page: the demo property is
connected to a stand-in Stripe account (local/demo_packages.py), so the shop initialises Stripe.js with
`{stripeAccount}` and the Payment Element stand-in confirms the direct charge through the Connect stand-in,
which finds the intent only with that account. Paid state, the package e-mail in the outbox, the package
issued (read through the admin API), no payment request while a field is invalid, axe, 390 px."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from local import demo_packages
from tests.browser.admin_support import axe_violations
from tests.browser.guest_support import catalog, horizontal_overflow
from tests.browser.test_gift_shop import PAYMENT_REQUESTS, fill_buyer, fill_card, open_shop, outbox

SEEDED = demo_packages.PACKAGES[0]


def admin_get(runtime: Any, path: str) -> Any:
    request = urllib.request.Request(f"{runtime.url}{path}", headers={"Authorization": f"Bearer {runtime.token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def seeded_package(runtime: Any) -> dict[str, Any]:
    packages = admin_get(runtime, "/v1/admin/properties/demo/packages")["packages"]
    found = [p for p in packages if p["name"] == SEEDED["name"]]
    assert found, "the demo seeds one package for sale"
    return dict(found[0])


def choose_package(shop: Any, package_id: str) -> None:
    radio = shop.get_by_test_id(f"gift-package-{package_id}")
    radio.check()
    expect(radio).to_be_checked()
    expect(shop.get_by_test_id("gift-quantity")).to_have_count(0)  # one package per order, no recipient
    expect(shop.get_by_test_id("gift-is-gift")).to_have_count(0)


@pytest.mark.browser
def test_buy_a_package_paid_on_the_hosts_connected_account(page: Any, local_runtime: Any) -> None:
    package = seeded_package(local_runtime)
    account = admin_get(local_runtime, "/v1/admin/properties/demo/stripe-account")
    assert account["charges_enabled"] is True and account["account_id"].startswith("acct_")
    confirms: list[dict[str, Any]] = []
    page.on("request", lambda request: confirms.append(json.loads(request.post_data or "{}"))
            if request.url.endswith("/_local/stripe/confirm") else None)
    texts = catalog("en")
    shop = open_shop(page, "en")
    section = shop.get_by_test_id("gift-packages")
    expect(section.locator("legend")).to_have_text(texts["gift_shop.package.legend"])
    expect(section).to_contain_text(SEEDED["name_translations"]["en"])
    expect(section.get_by_test_id("package-covers")).to_have_text("5 nights")
    expect(section.get_by_test_id("package-price")).to_have_text("€425.00")
    expect(section).to_contain_text("Valid for 18 months")
    choose_package(shop, package["id"])
    expect(shop.get_by_test_id("gift-total")).to_have_text("€425.00")
    email = f"forfait-{int(time.time() * 1000)}@example.com"
    fill_buyer(shop, email)
    fill_card(shop, "4242424242424242")
    with page.expect_response("**/v1/properties/demo/package-orders") as ordered:
        shop.get_by_test_id("gift-pay").click()
    order = ordered.value.json()
    assert order["stripe_account"] == account["account_id"]
    assert order["amount"] == SEEDED["price"]
    paid = shop.get_by_test_id("gift-paid")
    expect(paid).to_be_visible(timeout=20_000)
    expect(shop.get_by_test_id("gift-status")).to_have_text(
        texts["gift_shop.package.paid"].format(order=order["order_id"], email=email))
    expect(shop.get_by_test_id("gift-again")).to_have_text(texts["gift_shop.package.another"])
    assert [c.get("stripe_account") for c in confirms] == [account["account_id"]]

    deadline = time.monotonic() + 30
    holdings: list[dict[str, Any]] = []
    mails: list[dict[str, Any]] = []
    while time.monotonic() < deadline:  # localstripe's webhook, relayed by the Connect stand-in, issues it
        holdings = [h for h in admin_get(local_runtime, f"/v1/admin/properties/demo/packages/{package['id']}"
                                                         "/holdings")["holdings"]
                    if (h.get("holder") or {}).get("email") == email]
        mails = [m for m in outbox(local_runtime.url) if email in " ".join(m["to"] or [])]
        if holdings and mails:
            break
        time.sleep(0.5)
    assert len(holdings) == 1, "the package was not issued (once)"
    holding = holdings[0]
    assert (holding["source"], holding["order_id"], holding["balance"], holding["units_total"]) == (
        "online", order["order_id"], 5, 5)
    assert holding["price_paid"] == SEEDED["price"] and holding["status"] == "active"
    assert len(mails) == 1, "one package e-mail"
    assert holding["code"].replace("-", "") in (mails[0]["html"] or "").replace("-", "")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_package_with_invalid_fields_sends_no_payment_request_and_passes_axe_on_a_phone(
        browser: Any, local_runtime: Any, lang: str) -> None:
    context = browser.new_context(base_url=local_runtime.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        sent: list[str] = []
        page.on("request", lambda request: sent.append(request.url)
                if any(part in request.url for part in (*PAYMENT_REQUESTS, "/package-orders")) else None)
        texts = catalog(lang)
        shop = open_shop(page, lang)
        choose_package(shop, seeded_package(local_runtime)["id"])
        expect(shop.get_by_test_id("gift-packages").get_by_test_id("package-covers")).to_have_text(
            texts["gift_shop.package.covers.night.other"].format(count=5))
        shop.get_by_test_id("gift-pay").click()
        for field in ("first-name", "last-name", "email"):
            expect(shop.get_by_test_id(f"gift-{field}-error")).to_have_text(texts["gift_shop.error.required"])
        expect(shop.get_by_test_id("gift-first-name")).to_be_focused()
        fill_buyer(shop, "martin@")
        fill_card(shop, "4242424242424242")
        shop.get_by_test_id("gift-pay").click()
        expect(shop.get_by_test_id("gift-email-error")).to_have_text(texts["gift_shop.error.email"])
        expect(shop.get_by_test_id("gift-email")).to_have_attribute("aria-invalid", "true")
        page.wait_for_timeout(300)
        assert sent == [], f"payment requests while the form is invalid: {sent}"
        assert axe_violations(page) == []
        assert horizontal_overflow(page) <= 0
    finally:
        context.close()


@pytest.mark.browser
def test_kind_packages_sells_only_packages_and_kind_vouchers_only_vouchers(page: Any) -> None:
    texts = catalog("de")
    page.goto("/?lang=de")
    expect(page.locator("revenir-gift-shop").get_by_test_id("gift-form")).to_be_visible()
    page.evaluate("""() => {
        for (const kind of ["packages", "vouchers"]) {
            const shop = document.createElement("revenir-gift-shop");
            Object.assign(shop, { id: `shop-${kind}` });
            shop.setAttribute("property", "demo");
            shop.setAttribute("kind", kind);
            document.body.append(shop);
        }
    }""")
    packages_only, vouchers_only = page.locator("#shop-packages"), page.locator("#shop-vouchers")
    expect(packages_only.locator("h2")).to_have_text(texts["gift_shop.package.title"])
    expect(packages_only.get_by_test_id("gift-packages")).to_be_visible()
    expect(packages_only.get_by_test_id("gift-product")).to_have_count(0)
    expect(packages_only.locator("[data-testid^=gift-package-]")).to_be_checked()  # the first package is chosen
    expect(packages_only.get_by_test_id("gift-total")).to_have_text(page.evaluate(
        "cents => new Intl.NumberFormat('de', {style: 'currency', currency: 'EUR'}).format(cents / 100)",
        SEEDED["price"]))
    expect(vouchers_only.locator("h2")).to_have_text(texts["gift_shop.title"])
    expect(vouchers_only.get_by_test_id("gift-product")).to_be_visible()
    expect(vouchers_only.get_by_test_id("gift-packages")).to_have_count(0)


@pytest.mark.browser
def test_an_order_on_another_account_than_stripe_js_knows_is_not_confirmed(page: Any, local_runtime: Any) -> None:
    """The page was opened before the host connected Stripe (the shop said: platform account); the order now
    comes back on the connected account: the shop confirms nothing and says the payment failed."""
    with urllib.request.urlopen(f"{local_runtime.url}/v1/properties/demo/gift-shop", timeout=10) as response:
        before = json.load(response)
    assert before["stripe_account"]
    before["stripe_account"] = None
    page.route("**/v1/properties/demo/gift-shop", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(before)))
    confirms: list[str] = []
    page.on("request", lambda request: confirms.append(request.url) if "/_local/stripe/confirm" in request.url
            else None)
    shop = open_shop(page, "en")
    choose_package(shop, seeded_package(local_runtime)["id"])
    fill_buyer(shop, f"stale-{int(time.time() * 1000)}@example.com")
    fill_card(shop, "4242424242424242")
    shop.get_by_test_id("gift-pay").click()
    status = shop.get_by_test_id("gift-status")
    expect(status).to_have_attribute("data-kind", "error", timeout=20_000)
    expect(status).to_have_text(catalog("en")["gift_shop.failed"])
    assert confirms == []
    expect(shop.get_by_test_id("gift-paid")).to_have_count(0)
