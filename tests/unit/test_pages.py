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
from revenir.i18n import t
from revenir.reviews import form_page
from revenir.reviews.models import FORM_CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "revenir" / "revenir"
HOSTILE = '<script>alert("x")</script>&\''


def test_every_value_is_escaped_but_rendered_fragments() -> None:
    done = render("revenir.reviews", "done.html", text=HOSTILE)
    assert done == f'<p class="good" data-state="done">{html.escape(HOSTILE)}</p>' and "<script>" not in done
    page = render("revenir.reviews", "page.html", lang="en", title=HOSTILE, body=done, style="")
    assert page.count(html.escape(HOSTILE)) == 3 and "<script>alert" not in page
    assert isinstance(page, Html) and '<p class="good" data-state="done">' in page  # not escaped twice


def test_a_missing_value_is_an_error_not_a_placeholder_left_in_the_page() -> None:
    with pytest.raises(KeyError):
        render("revenir.reviews", "error.html", code="x")


def test_the_review_form_escapes_the_property_and_carries_its_config_in_an_attribute() -> None:
    prop = {"name": HOSTILE, "default_language": "nl"}
    booking = {"booking_id": "B-1", "arrival": "2026-07-01", "departure": "2026-07-03", "language": "xx"}
    page = form_page.form("demo", prop, booking, 'tok"en</script>', form_page.language(None, "xx", "nl"))
    assert '<html lang="nl">' in page and "<script>alert" not in page and html.escape(HOSTILE) in page
    config = json.loads(html.unescape(re.search(r'data-config="([^"]*)"', page).group(1)))  # type: ignore[union-attr]
    assert {k: v for k, v in config.items() if k not in ("texts", "errors")} == {
        "url": "/v1/properties/demo/reviews", "booking_id": "B-1", "token": 'tok"en</script>', "language": "nl",
        "categories": list(FORM_CATEGORIES)}
    assert config["texts"]["thanks"] == t("nl", "review_form.thanks") and config["texts"]["done"] == t(
        "nl", "review_form.done")
    assert set(config["errors"]) == {*form_page.ERROR_CODES, "other"}  # every refusal explained in Dutch
    assert config["errors"]["stay_not_started"] == t("nl", "review_form.error.stay_not_started")
    assert "1 juli 2026" in page and "3 juli 2026" in page and "2026-07-01" not in page  # dates written, not ISO
    assert page.count('type="radio" name="rating"') == 5 and page.count(" required>") == 5
    assert page.count('class="stars"') == 1 + len(FORM_CATEGORIES)


def test_the_form_language_falls_back_in_order_and_never_fails_on_missing_values() -> None:
    assert form_page.language("de", "fr", "en") == "de"
    assert form_page.language(None, None, "fr") == "fr"  # a booking without a language
    assert form_page.language(None, 42, None) == "en"
    error = form_page.error("invalid_review_token", None)
    assert 'data-error="invalid_review_token"' in error and 'lang="en"' in error
    assert html.escape(t("en", "review_form.error.invalid_review_token")) in error
    french = form_page.error("stay_not_started", "fr")  # a French guest never reads the API's English message
    assert html.escape(t("fr", "review_form.error.stay_not_started")) in french and "once it has started" not in french
    unknown = form_page.error(HOSTILE, "fr")
    assert html.escape(t("fr", "review_form.error.other")) in unknown and "<script>alert" not in unknown


def test_the_unsubscribe_page_escapes_the_address_and_refuses_a_forged_link() -> None:
    from revenir.core.errors import Forbidden
    from revenir.guests.unsubscribe import UnsubscribeLinks

    signer = Signer("k" * 32)
    email = 'a"<b>@example.com'
    class Repository:
        def property_item(self, property_id: str) -> dict[str, str]:
            return {"name": "Les <i>Tilleuls</i>", "default_language": "de"}

    class Service:
        repository = Repository()

    links = UnsubscribeLinks(service=Service(), signer=signer)  # type: ignore[arg-type]  # the page reads the name
    status, page = links.page("demo", encode_email(email), signer.sign("unsubscribe", "demo", email), "en")
    assert status == 200 and html.escape(email) in page and "<b>" not in page and 'name="List-Unsubscribe"' in page
    assert "Les &lt;i&gt;Tilleuls&lt;/i&gt; will no longer" in page and '<html lang="en">' in page  # name first
    status, page = links.page("other", encode_email(email), signer.sign("unsubscribe", "demo", email), None)
    assert status == 403 and '<html lang="de">' in page and html.escape(t("de", "unsubscribe.invalid")) in page
    with pytest.raises(Forbidden):
        links.verified_email("other", encode_email(email), signer.sign("unsubscribe", "demo", email))


def test_every_page_template_is_package_data() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["revenir"]
    pages = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("pages/*.html")]
    assert len(pages) >= 7
    assert [p for p in pages if not any(fnmatch.fnmatch(p, pattern) for pattern in patterns)] == []
