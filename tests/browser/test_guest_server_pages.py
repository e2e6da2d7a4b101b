"""Issue 15 in Chromium, server side: the review form, the unsubscribe page, the printable voucher and the
e-mails as a guest sees them, in the guest's language, at 390 px (a phone) and 1280 px: no horizontal scroll,
0 axe violations, no text from another language's catalog, dates written out. With REVENIR_SCREENSHOTS set
(`make screenshots`), the pictures of docs/guest-pages.md are written into docs/screenshots/."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from revenir.i18n import LANGUAGES, t
from tests.browser.admin_support import axe_violations, call, screenshot

ADMIN = "/v1/admin/properties/demo"
CATALOGS = Path(__file__).resolve().parents[2] / "layers" / "revenir" / "revenir" / "i18n" / "catalogs"
WIDTHS = (390, 1280)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def foreign_texts(lang: str, namespaces: tuple[str, ...]) -> set[str]:
    """Texts of the other languages' catalogs that this language never uses (long enough to be telling)."""
    own = {v for ns in namespaces for v in json.loads((CATALOGS / lang / f"{ns}.json").read_text()).values()}
    other = {v for other in LANGUAGES if other != lang for ns in namespaces
             for v in json.loads((CATALOGS / other / f"{ns}.json").read_text()).values()}
    return {re.sub(r"\{[a-z_]+\}", "", v).strip() for v in other - own if len(v) >= 8 and "{{" not in v} - {""}


def check(page: Any, lang: str, namespaces: tuple[str, ...], name: str, width: int) -> None:
    """The page as a guest sees it: its language, no sideways scroll, no other language, no ISO date, axe clean."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "horizontal scroll"
    body = page.locator("body").inner_text()
    leaks = sorted(s for s in foreign_texts(lang, namespaces) if s in body)
    assert leaks == [], f"{lang} page shows other languages' texts: {leaks}"
    assert not ISO_DATE.search(body), body
    assert axe_violations(page) == []
    screenshot(page, f"guest-{name}-{lang}-{width}")


def stay(runtime: Any, booking_id: str, lang: str, arrival_offset: int = -5) -> dict[str, Any]:
    arrival = date.today() + timedelta(days=arrival_offset)
    call(runtime, "PUT", f"/v1/properties/demo/bookings/{booking_id}", {
        "first_name": "Anna", "last_name": "Janssens", "email": f"{booking_id.lower()}@example.com",
        "language": lang, "arrival": str(arrival), "departure": str(arrival + timedelta(days=2)), "adults": 2,
        "offer_ids": ["gite-bout-du-monde"], "channel": "direct", "marketing_consent": True})
    # item 4: the default "thank you" e-mail carries the review link (and every e-mail an unsubscribe link)
    preview: dict[str, Any] = call(runtime, "POST", f"{ADMIN}/mail-templates/thanks/preview",
                                   {"booking_id": booking_id, "language": lang})
    return preview


def link(preview: dict[str, Any], part: str) -> str:
    url = urlparse(next(w for w in preview["text"].split() if part in w))
    return f"{url.path}?{url.query}"


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "de"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_review_form_in_the_guests_language(page: Any, local_runtime: Any, lang: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    booking_id = f"B-GP-{lang}-{width}"
    preview = stay(local_runtime, booking_id, lang)
    assert t(lang, "emails.common.review_button") in preview["text"]
    page.goto(link(preview, "/reviews/form?"))
    expect(page.locator("h1")).to_contain_text(t(lang, "review_form.title", name="").strip(" —"))
    check(page, lang, ("review_form",), "review-form", width)
    page.locator("button[type=submit]").click()  # no rating yet: told so in the guest's language, nothing sent
    expect(page.locator("#result")).to_have_text(t(lang, "review_form.required"))
    page.locator("fieldset[data-field=rating] label").nth(3).click()
    page.locator("button[type=submit]").click()
    expect(page.locator("#result")).to_have_text(t(lang, "review_form.thanks"))
    assert axe_violations(page) == []


@pytest.mark.browser
def test_a_refused_review_link_is_explained_in_the_guests_language(page: Any, local_runtime: Any) -> None:
    preview = stay(local_runtime, "B-GP-FUTURE", "fr", arrival_offset=10)  # the stay has not started
    page.goto(link(preview, "/reviews/form?"))
    expect(page.locator("[data-error=stay_not_started]")).to_have_text(t("fr", "review_form.error.stay_not_started"))
    assert "once it has started" not in page.locator("body").inner_text()
    page.goto(link(preview, "/reviews/form?").replace("t=", "t=forged"))
    expect(page.locator("[data-error]")).to_have_text(t("fr", "review_form.error.invalid_review_token"))


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_unsubscribe_page(page: Any, local_runtime: Any, lang: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    preview = stay(local_runtime, f"B-UN-{lang}-{width}", lang)
    page.goto(link(preview, "/unsubscribe?"))
    check(page, lang, ("unsubscribe",), "unsubscribe", width)
    page.get_by_role("button", name=t(lang, "unsubscribe.button")).click()
    expect(page.locator("[data-state=done]")).to_have_text(t(lang, "unsubscribe.done"))
    assert axe_violations(page) == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_printable_voucher(page: Any, local_runtime: Any, lang: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    product = next(p for p in call(local_runtime, "GET", f"{ADMIN}/gift-products")["gift_products"]
                   if p["value"]["type"] == "fixed")
    voucher = call(local_runtime, "POST", f"{ADMIN}/gift-products/{product['id']}/vouchers",
                   {"reason": "Tombola", "recipient_name": "Zoé <b>Peeters</b>"})
    page.goto(f"/v1/properties/demo/vouchers/{voucher['code']}/print?lang={lang}")
    expect(page.get_by_test_id("voucher-code")).to_be_visible()
    check(page, lang, ("voucher_page",), "voucher", width)
    value = page.get_by_test_id("voucher-value").inner_text()
    assert ("," if lang == "fr" else ".") in value and "€" in value


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_default_email_fits_a_phone(page: Any, local_runtime: Any, lang: str) -> None:
    """Each default e-mail's HTML rendered as a mail app would at 390 px: no horizontal scroll, axe clean."""
    page.set_viewport_size({"width": 390, "height": 800})
    booking_id = f"B-MAIL-{lang}"
    stay(local_runtime, booking_id, lang)
    for template in ("booking_info", "eve_of_arrival", "thanks", "post_stay_offer"):
        preview = call(local_runtime, "POST", f"{ADMIN}/mail-templates/{template}/preview",
                       {"booking_id": booking_id, "language": lang})
        page.set_content(preview["html"])
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), template
        assert axe_violations(page) == [], template
        if template == "thanks" and lang == "fr":
            screenshot(page, "guest-email-thanks-fr-390")


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_default_email_as_sent_fits_a_phone(page: Any, local_runtime: Any, lang: str) -> None:
    """Every default e-mail (lifecycle, cart reminders, promo code, gift vouchers, refund notices, the host's
    alert), its CSS inlined as it is sent, at 390 px: no horizontal scroll, 0 axe violations."""
    from revenir.mail.message import inline_css
    from tests.unit.test_guest_mail import every_default

    page.set_viewport_size({"width": 390, "height": 800})
    for template, mail in every_default("Le Moulin d'en haut — gîtes et chambres d'hôtes", lang):
        page.set_content(inline_css(mail.html))
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), template
        assert axe_violations(page) == [], template
        if template == "gift_recipient" and lang == "de":
            screenshot(page, "guest-email-voucher-de-390")
