"""The back-office's code usage and webhooks screens (issue 17) in a real browser: a code's bookings with totals
and the CSV, an endpoint subscribed with its secret shown once, delivered to a local receiver, the delivery log
a replay and a rotated secret; axe-core finds no violation."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from tests.browser.admin_support import axe_violations, call, open_screen, sign_in
from tests.integration.test_webhooks import Receiver

ADMIN = "/v1/admin/properties/demo"


@pytest.mark.browser
def test_a_codes_usage_and_a_webhook_endpoint_from_the_back_office(page: Any, local_runtime: Any) -> None:
    code = f"USAGE{int(time.time()) % 100000}"
    promo = call(local_runtime, "POST", f"{ADMIN}/promo-codes", {
        "name": f"Usage {code}", "code": code, "discount": {"type": "amount", "amount": 2000, "currency": "EUR"},
        "valid_from": str(date.today() - timedelta(days=1)), "valid_until": str(date.today() + timedelta(days=30))})
    receiver = Receiver()
    try:
        sign_in(page, local_runtime, "/settings")
        page.get_by_test_id("webhooks-link").click()
        expect(page.locator("main h1")).to_have_text("Webhooks")
        page.get_by_test_id("webhook-url").fill(receiver.url("/browser"))
        page.get_by_test_id("save-webhook").click()
        secret = page.get_by_test_id("webhook-secret")
        expect(secret).to_contain_text("whsec_")
        key = secret.inner_text()
        assert not axe_violations(page)
        page.locator("dialog[open] button").click()
        expect(page.locator("dialog[open]")).to_have_count(0)

        arrival = date.today() + timedelta(days=12)
        for booking in ("UI-1", "UI-2"):
            call(local_runtime, "POST", "/v1/properties/demo/redemptions", {
                "code": code, "booking_id": f"{code}-{booking}", "guest_email": "lena@example.org",
                "arrival": str(arrival), "departure": str(arrival + timedelta(days=2)),
                "lines": [{"offer_id": "chambre-meuse", "amount": 18000, "currency": "EUR"}]})
        call(local_runtime, "DELETE", f"/v1/properties/demo/redemptions/{code}-UI-2")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(receiver.at("/browser")) < 2:
            call(local_runtime, "POST", "/_local/event-sources/drain")
            time.sleep(0.3)
        bodies = [Webhook(key).verify(body, headers) for headers, body in receiver.at("/browser")]
        assert sorted(b["data"]["booking_id"] for b in bodies) == [f"{code}-UI-1", f"{code}-UI-2"]

        endpoint = page.locator("[data-endpoint]").filter(has_text=receiver.url("/browser"))
        endpoint.get_by_role("button", name="Envois").click()
        expect(endpoint.get_by_test_id("deliveries").locator("tbody tr")).to_have_count(2)
        expect(endpoint.get_by_test_id("deliveries")).to_contain_text("Reçu")
        endpoint.get_by_role("button", name="Renvoyer").first.click()
        expect(page.locator(".toast")).to_contain_text("Renvoi programmé")
        expect(page.locator(".toast.visible")).to_have_count(0, timeout=8000)  # axe mid-fade reads a mixed colour
        assert not axe_violations(page)

        # a new secret: shown once; for a day every request carries both signatures
        endpoint.get_by_test_id("rotate-secret").click()
        page.get_by_test_id("confirm-ok").click()
        rotated = page.get_by_test_id("webhook-secret")
        expect(rotated).to_contain_text("whsec_")
        new_key = rotated.inner_text()
        assert new_key != key
        page.locator("dialog[open] button").click()
        expect(page.locator("[data-endpoint]").filter(has_text=receiver.url("/browser"))).to_contain_text(
            "L'ancienne clé signe aussi jusqu'au")
        call(local_runtime, "POST", "/v1/properties/demo/redemptions", {
            "code": code, "booking_id": f"{code}-UI-3", "guest_email": "lena@example.org",
            "arrival": str(arrival), "departure": str(arrival + timedelta(days=2)),
            "lines": [{"offer_id": "chambre-meuse", "amount": 18000, "currency": "EUR"}]})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(f"{code}-UI-3" in b for _, b in receiver.at("/browser")):
            call(local_runtime, "POST", "/_local/event-sources/drain")
            time.sleep(0.3)
        headers, body = next((h, b) for h, b in receiver.at("/browser") if f"{code}-UI-3" in b)
        assert Webhook(new_key).verify(body, headers) == Webhook(key).verify(body, headers)

        open_screen(page, f"/codes/{promo['id']}/usage")
        expect(page.locator("main h1")).to_have_text(f"Utilisation du code {code}")
        expect(page.get_by_test_id("usage-uses")).to_have_text("2")  # UI-1 and UI-3; UI-2 was released
        expect(page.get_by_test_id("usage-table").locator("tbody tr")).to_have_count(3)
        expect(page.locator(f"[data-booking='{code}-UI-2']")).to_contain_text("Annulée")
        with page.expect_download() as download:
            page.get_by_test_id("usage-csv").click()
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert text.startswith("Date;Réservation;E-mail du client") and f"{code}-UI-1" in text
        page.get_by_test_id("usage-to").fill("2000-01-01")
        page.get_by_test_id("usage-filter").click()
        expect(page.locator("main .empty")).to_be_visible()
        assert not axe_violations(page)

        # on a phone, a long endpoint URL wraps instead of widening the page
        call(local_runtime, "POST", f"{ADMIN}/webhooks", {
            "url": "https://hooks.booking-engine.example.com/revenir/notifications/" + "x" * 60,
            "event_types": ["cart.recovered"]})
        page.set_viewport_size({"width": 390, "height": 844})
        open_screen(page, "/webhooks")
        expect(page.locator("[data-endpoint]").filter(has_text="/revenir/notifications/")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        receiver.server.shutdown()
