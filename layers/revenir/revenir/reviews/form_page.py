"""The review form a guest opens from the post-stay e-mail: texts in fr, en, nl, de and the page
(templates in `revenir/reviews/pages/`, rendered by revenir.core.pages: every value escaped, no jinja2)."""

from __future__ import annotations

import json
from typing import Any

from revenir.core.pages import Html, render
from revenir.reviews.models import CATEGORIES, FORM_CATEGORIES

PACKAGE = "revenir.reviews"

TEXTS: dict[str, dict[str, str]] = {
    "fr": {"title": "Votre avis sur {name}", "intro": "Merci pour votre séjour du {arrival} au {departure}. "
           "Comment l'avez-vous trouvé ?", "overall": "Note globale", "review_title": "Titre (facultatif)",
           "text": "Votre avis", "send": "Envoyer mon avis", "thanks": "Merci ! Votre avis a bien été reçu.",
           "done": "Vous avez déjà donné votre avis sur ce séjour. Merci !", "error": "Ce lien n'est pas valide.",
           "cleanliness": "Propreté", "comfort": "Confort", "check_in": "Arrivée", "communication": "Communication",
           "location": "Emplacement", "value": "Rapport qualité/prix"},
    "en": {"title": "Your review of {name}", "intro": "Thank you for your stay from {arrival} to {departure}. "
           "How was it?", "overall": "Overall", "review_title": "Title (optional)", "text": "Your review",
           "send": "Send my review", "thanks": "Thank you! Your review was received.",
           "done": "You have already reviewed this stay. Thank you!", "error": "This link is not valid.",
           **{c: CATEGORIES[c] for c in FORM_CATEGORIES}},
    "nl": {"title": "Uw beoordeling van {name}", "intro": "Bedankt voor uw verblijf van {arrival} tot {departure}. "
           "Hoe was het?", "overall": "Algemeen", "review_title": "Titel (optioneel)", "text": "Uw beoordeling",
           "send": "Verstuur", "thanks": "Bedankt! Uw beoordeling is ontvangen.",
           "done": "U heeft dit verblijf al beoordeeld. Bedankt!", "error": "Deze link is niet geldig.",
           "cleanliness": "Netheid", "comfort": "Comfort", "check_in": "Inchecken", "communication": "Communicatie",
           "location": "Locatie", "value": "Prijs-kwaliteit"},
    "de": {"title": "Ihre Bewertung von {name}", "intro": "Danke für Ihren Aufenthalt vom {arrival} bis "
           "{departure}. Wie war es?", "overall": "Gesamt", "review_title": "Titel (optional)",
           "text": "Ihre Bewertung", "send": "Bewertung senden", "thanks": "Danke! Ihre Bewertung ist angekommen.",
           "done": "Sie haben diesen Aufenthalt bereits bewertet. Danke!", "error": "Dieser Link ist ungültig.",
           "cleanliness": "Sauberkeit", "comfort": "Komfort", "check_in": "Check-in",
           "communication": "Kommunikation", "location": "Lage", "value": "Preis-Leistung"},
}


def language(*candidates: object) -> str:
    """The first candidate the form speaks (the link's `lang`, the booking's, the property's), else English."""
    return next((c for c in candidates if isinstance(c, str) and c in TEXTS), "en")


def _page(lang: str, title: str, body: Html) -> str:
    return render(PACKAGE, "page.html", lang=lang, title=title, body=body)


def _stars(name: str, label: str, required: bool) -> Html:
    return render(PACKAGE, "stars.html", name=name, label=label, required=Html(" required" if required else ""))


def form(property_id: str, prop: dict[str, Any], booking: dict[str, Any], token: str, lang: str) -> str:
    """The form: overall rating (required), the categories, a title and a text; posts JSON to the API."""
    texts = TEXTS[lang]
    fields = Html("".join([_stars("rating", texts["overall"], True),
                           *(_stars(c, texts[c], False) for c in FORM_CATEGORIES)]))
    config = json.dumps({"url": f"/v1/properties/{property_id}/reviews", "booking_id": booking["booking_id"],
                         "token": token, "language": lang, "categories": list(FORM_CATEGORIES),
                         "thanks": texts["thanks"], "done": texts["done"]})
    body = render(PACKAGE, "form.html", intro=texts["intro"].format(
        arrival=booking["arrival"], departure=booking["departure"]), config=config, fields=fields,
        review_title=texts["review_title"], text=texts["text"], send=texts["send"])
    return _page(lang, texts["title"].format(name=prop["name"]), body)


def done(prop: dict[str, Any], lang: str) -> str:
    """This stay was already reviewed."""
    texts = TEXTS[lang]
    return _page(lang, texts["title"].format(name=prop["name"]), render(PACKAGE, "done.html", text=texts["done"]))


def error(code: str, message: str, lang: str | None) -> str:
    """A refused link (bad token, unknown stay, not yet arrived...): the error's code and message."""
    lang = language(lang)
    return _page(lang, TEXTS[lang]["error"], render(PACKAGE, "error.html", code=code, message=message))


__all__ = ["TEXTS", "done", "error", "form", "language"]
