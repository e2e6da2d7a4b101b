"""The reviews widget on the demo page (web/revenir-reviews.js in the #reviews section), in a real browser."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from local import demo_reviews


def call(runtime: Any, method: str, path: str, data: bytes | None = None,
         content_type: str = "application/json") -> dict[str, Any]:
    request = urllib.request.Request(f"{runtime.url}{path}", data=data, method=method, headers={
        "Authorization": f"Bearer {runtime.token}", "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=15) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


@pytest.mark.browser
def test_the_widget_shows_the_score_categories_and_latest_reviews(page: Any, local_runtime: Any) -> None:
    base = "/v1/admin/properties/demo/reviews/imports"
    call(local_runtime, "POST", f"{base}/booking", demo_reviews.booking_csv().encode(), "text/csv")
    call(local_runtime, "POST", f"{base}/airbnb", demo_reviews.airbnb_json().encode())
    summary = call(local_runtime, "GET", "/v1/properties/demo/reviews/summary?latest=3")
    assert summary["count"] >= 5

    page.goto("/#reviews")
    widget = page.locator("#reviews revenir-reviews")
    expect(widget.get_by_test_id("reviews-count")).to_have_text(f"{summary['count']} avis")
    expect(widget.get_by_test_id("reviews-average")).to_have_text(f"{summary['average']:.1f}".replace(".", ","))
    categories = widget.get_by_test_id("reviews-categories")
    expect(categories.locator("dt[data-category=cleanliness]")).to_have_text("Propreté")
    expect(categories.locator("dt")).to_have_count(len(summary["categories"]))
    expect(widget.locator("[data-source=airbnb]")).to_contain_text("Airbnb")
    latest = widget.get_by_test_id("reviews-latest").locator("li")
    expect(latest).to_have_count(len(summary["latest"]))
    expect(latest.first).to_contain_text(summary["latest"][0]["author"] or "")

    page.locator("[data-set-lang=en]").click()  # the page's language switch: the widget follows <html lang>
    expect(widget.get_by_test_id("reviews-count")).to_have_text(f"{summary['count']} reviews")
    expect(categories.locator("dt[data-category=value]")).to_have_text("Value for money")
