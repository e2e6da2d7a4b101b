"""The guests' signed unsubscribe links (from every e-mail's footer and List-Unsubscribe header): the page
and its confirmation (templates in `revenir/guests/pages/`, rendered by revenir.core.pages, no jinja2)."""

from __future__ import annotations

from dataclasses import dataclass

from revenir.core.errors import Forbidden
from revenir.core.pages import Html, render
from revenir.core.signing import Signer, decode_email
from revenir.guests.lifecycle import LifecycleService

PACKAGE = "revenir.guests"
#: (title, text, button, done) per language.
TEXTS = {
    "fr": ("Se désabonner", "Vous ne recevrez plus aucun e-mail de notre part à l'adresse {email}.",
           "Confirmer le désabonnement", "Vous êtes désabonné(e)."),
    "en": ("Unsubscribe", "You will no longer receive any e-mail from us at {email}.", "Confirm",
           "You are unsubscribed."),
}


@dataclass(frozen=True)
class UnsubscribeLinks:
    service: LifecycleService
    signer: Signer

    def verified_email(self, property_id: str, g: str | None, t: str | None) -> str:
        """The address a link was signed for at this property; 403 invalid_link otherwise."""
        try:
            email = decode_email(g or "")
        except ValueError as exc:
            raise Forbidden("this unsubscribe link is not valid", code="invalid_link") from exc
        if not self.signer.verify(t or "", "unsubscribe", property_id, email):
            raise Forbidden("this unsubscribe link is not valid", code="invalid_link")
        return email

    def page(self, property_id: str, g: str | None, t: str | None, lang: str) -> str:
        """The confirmation page (a button posting back to the same link)."""
        email = self.verified_email(property_id, g, t)
        title, text, button, _ = TEXTS[lang]
        form = render(PACKAGE, "unsubscribe_form.html", button=button)
        return render(PACKAGE, "page.html", lang=lang, title=title, text=text.format(email=email), form=form)

    def unsubscribe(self, property_id: str, g: str | None, t: str | None) -> str:
        """One click (RFC 8058) or the page's button: unsubscribed from every e-mail of the property."""
        email = self.verified_email(property_id, g, t)
        self.service.unsubscribe(property_id, email, source="link")
        title, _, _, done = TEXTS["fr"]
        return render(PACKAGE, "page.html", lang="fr", title=title, text=done, form=Html(""))


__all__ = ["TEXTS", "UnsubscribeLinks"]
