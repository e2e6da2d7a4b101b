"""Pages shipped as package data (revenir.core.pages): every substituted value escaped, the templates found
through importlib.resources and declared as package data, so the layer and a wheel both carry them."""

from __future__ import annotations

import fnmatch
import html
import json
import re
import tomllib
from pathlib import Path

import pytest

from revenir.core.pages import Html, render
from revenir.core.signing import Signer, encode_email
from revenir.reviews import form_page
from revenir.reviews.models import FORM_CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "revenir" / "revenir"
HOSTILE = '<script>alert("x")</script>&\''


def test_every_value_is_escaped_but_rendered_fragments() -> None:
    done = render("revenir.reviews", "done.html", text=HOSTILE)
    assert done == f'<p data-state="done">{html.escape(HOSTILE)}</p>' and "<script>" not in done
    page = render("revenir.reviews", "page.html", lang="en", title=HOSTILE, body=done)
    assert page.count(html.escape(HOSTILE)) == 3 and "<script>alert" not in page
    assert isinstance(page, Html) and '<p data-state="done">' in page  # the fragment is not escaped twice


def test_a_missing_value_is_an_error_not_a_placeholder_left_in_the_page() -> None:
    with pytest.raises(KeyError):
        render("revenir.reviews", "error.html", code="x")


def test_the_review_form_escapes_the_property_and_carries_its_config_in_an_attribute() -> None:
    prop = {"name": HOSTILE, "default_language": "nl"}
    booking = {"booking_id": "B-1", "arrival": "2026-07-01", "departure": "2026-07-03", "language": "xx"}
    page = form_page.form("demo", prop, booking, 'tok"en</script>', form_page.language(None, "xx", "nl"))
    assert '<html lang="nl">' in page and "<script>alert" not in page and html.escape(HOSTILE) in page
    config = json.loads(html.unescape(re.search(r'data-config="([^"]*)"', page).group(1)))  # type: ignore[union-attr]
    assert config == {"url": "/v1/properties/demo/reviews", "booking_id": "B-1", "token": 'tok"en</script>',
                      "language": "nl", "categories": list(FORM_CATEGORIES),
                      "thanks": form_page.TEXTS["nl"]["thanks"], "done": form_page.TEXTS["nl"]["done"]}
    assert page.count('type="radio" name="rating"') == 5 and page.count(" required>") == 5
    assert page.count('class="stars"') == 1 + len(FORM_CATEGORIES)


def test_the_form_language_falls_back_in_order_and_never_fails_on_missing_values() -> None:
    assert form_page.language("de", "fr", "en") == "de"
    assert form_page.language(None, None, "fr") == "fr"  # a booking without a language
    assert form_page.language(None, 42, None) == "en"
    error = form_page.error("invalid_review_token", HOSTILE, None)
    assert 'data-error="invalid_review_token"' in error and html.escape(HOSTILE) in error and 'lang="en"' in error


def test_the_unsubscribe_page_escapes_the_address_and_refuses_a_forged_link() -> None:
    from revenir.core.errors import Forbidden
    from revenir.guests.unsubscribe import UnsubscribeLinks

    signer = Signer("k" * 32)
    email = 'a"<b>@example.com'
    links = UnsubscribeLinks(service=None, signer=signer)  # type: ignore[arg-type]  # the page reads nothing
    page = links.page("demo", encode_email(email), signer.sign("unsubscribe", "demo", email), "en")
    assert html.escape(email) in page and "<b>" not in page and 'name="List-Unsubscribe"' in page
    with pytest.raises(Forbidden):
        links.page("other", encode_email(email), signer.sign("unsubscribe", "demo", email), "en")


def test_every_page_template_is_package_data() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["revenir"]
    pages = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("pages/*.html")]
    assert len(pages) >= 7
    assert [p for p in pages if not any(fnmatch.fnmatch(p, pattern) for pattern in patterns)] == []
