"""The guest's review form (revenir/reviews/pages, served by the reviews function) in a real browser: opened
from the post-stay e-mail's link, filled in, sent, then shown as already reviewed."""

from __future__ import annotations

import json
import urllib.request
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect


def call(runtime: Any, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(f"{runtime.url}{path}", data=json.dumps(body).encode(), method=method,
                                     headers={"Authorization": f"Bearer {runtime.token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=15) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


@pytest.mark.browser
def test_a_guest_reviews_a_stay_from_the_emails_link(page: Any, local_runtime: Any) -> None:
    arrival = date.today() - timedelta(days=5)
    call(local_runtime, "PUT", "/v1/properties/demo/bookings/B-FORM-1", {
        "first_name": "Anna", "last_name": "<Janssens>", "email": "anna.form@example.com", "language": "en",
        "arrival": str(arrival), "departure": str(arrival + timedelta(days=2)), "adults": 2,
        "offer_ids": ["gite-bout-du-monde"], "channel": "direct", "marketing_consent": True})
    preview = call(local_runtime, "POST", "/v1/admin/properties/demo/mail-templates/post_stay_offer/preview",
                   {"booking_id": "B-FORM-1", "language": "en"})
    link = urlparse(next(w for w in preview["text"].split() if "/reviews/form?" in w))

    page.goto(f"{link.path}?{link.query}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    form = page.locator("form#review")
    form.locator("fieldset[data-field=rating] label").nth(3).click()  # 4 stars
    form.locator("fieldset[data-field=cleanliness] label").nth(4).click()
    form.locator("input[name=title]").fill("Lovely <b>stay</b>")
    form.locator("textarea[name=text]").fill("Quiet, clean, and the hosts were kind.")
    form.locator("button[type=submit]").click()
    expect(page.locator("#result")).to_have_text("Thank you! Your review was received.")
    expect(page.locator("form#review")).to_have_count(0)

    page.reload()
    expect(page.locator("[data-state=done]")).to_have_text("You have already reviewed this stay. Thank you!")
