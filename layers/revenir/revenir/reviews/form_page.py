"""The review form a guest opens from the post-stay e-mail, in the guest's language (the link's `lang`, the
booking's, the property's: texts in the `review_form` catalog of revenir.i18n, dates written by Babel). Templates
in `revenir/reviews/pages/`, rendered by revenir.core.pages: every value escaped, no jinja2."""

from __future__ import annotations

import json
from typing import Any

from revenir.core.pages import GUEST_STYLE, Html, render
from revenir.i18n import LANGUAGES, choose, t
from revenir.i18n.formats import format_date
from revenir.reviews.models import FORM_CATEGORIES

PACKAGE = "revenir.reviews"
#: Error codes the form explains in the guest's language (anything else: `error.other`).
ERROR_CODES = ("invalid_review_token", "booking_not_found", "booking_cancelled", "stay_not_started",
               "review_already_submitted", "property_not_found", "invalid_request")


def language(*candidates: object) -> str:
    """The first candidate the form speaks (the link's `lang`, the booking's, the property's), else English."""
    return choose(*candidates)


def _page(lang: str, title: str, body: Html) -> str:
    return render(PACKAGE, "page.html", lang=lang, title=title, body=body, style=GUEST_STYLE)


def _stars(name: str, label: str, required: bool, lang: str) -> Html:
    options = Html("".join(render(PACKAGE, "star.html", name=name, value=n, glyphs="★" * n,
                                  text=t(lang, "review_form.stars", count=n),
                                  required=Html(" required" if required else "")) for n in range(1, 6)))
    return render(PACKAGE, "stars.html", name=name, label=label, options=options)


def category_label(category: str, lang: str) -> str:
    """A review category's name in `lang` (the host alert uses it too)."""
    return t(lang, f"review_form.category.{category}")


def form(property_id: str, prop: dict[str, Any], booking: dict[str, Any], token: str, lang: str) -> str:
    """The form: overall rating (required), the categories, a title and a text; posts JSON to the API."""
    fields = Html("".join([_stars("rating", t(lang, "review_form.overall"), True, lang),
                           *(_stars(c, category_label(c, lang), False, lang) for c in FORM_CATEGORIES)]))
    texts = {k: t(lang, f"review_form.{k}") for k in ("thanks", "done", "required", "sending")}
    errors = {code: t(lang, f"review_form.error.{code}") for code in (*ERROR_CODES, "other")}
    config = json.dumps({"url": f"/v1/properties/{property_id}/reviews", "booking_id": booking["booking_id"],
                         "token": token, "language": lang, "categories": list(FORM_CATEGORIES),
                         "texts": texts, "errors": errors}, ensure_ascii=False)
    intro = t(lang, "review_form.intro", arrival=format_date(booking["arrival"], lang),
              departure=format_date(booking["departure"], lang))
    body = render(PACKAGE, "form.html", intro=intro, config=config, fields=fields,
                  review_title=t(lang, "review_form.review_title"), text=t(lang, "review_form.text"),
                  send=t(lang, "review_form.send"))
    return _page(lang, t(lang, "review_form.title", name=prop["name"]), body)


def done(prop: dict[str, Any], lang: str) -> str:
    """This stay was already reviewed."""
    return _page(lang, t(lang, "review_form.title", name=prop["name"]),
                 render(PACKAGE, "done.html", text=t(lang, "review_form.done")))


def error(code: str, lang: str | None) -> str:
    """A refused link (bad token, unknown stay, not yet arrived...): the reason in the guest's language, the
    stable code in `data-error` (never the API's English message)."""
    lang = language(lang)
    key = code if code in ERROR_CODES else "other"
    return _page(lang, t(lang, "review_form.error_title"),
                 render(PACKAGE, "error.html", code=code, message=t(lang, f"review_form.error.{key}")))


__all__ = ["ERROR_CODES", "LANGUAGES", "category_label", "done", "error", "form", "language"]
