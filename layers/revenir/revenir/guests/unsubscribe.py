"""The guests' signed unsubscribe links (from every e-mail's footer and List-Unsubscribe header): the page and
its confirmation, in the link's language (`lang`), else the property's (texts in the `unsubscribe` catalog of
revenir.i18n; templates in `revenir/guests/pages/`, rendered by revenir.core.pages, no jinja2). A forged or
damaged link gets a page in that language too, with status 403."""

from __future__ import annotations

from dataclasses import dataclass

from revenir.core.errors import Forbidden
from revenir.core.pages import GUEST_STYLE, Html, render
from revenir.core.signing import Signer, decode_email
from revenir.guests.lifecycle import LifecycleService
from revenir.i18n import choose, t

PACKAGE = "revenir.guests"


@dataclass(frozen=True)
class UnsubscribeLinks:
    service: LifecycleService
    signer: Signer

    def verified_email(self, property_id: str, g: str | None, t_: str | None) -> str:
        """The address a link was signed for at this property; 403 invalid_link otherwise."""
        try:
            email = decode_email(g or "")
        except ValueError as exc:
            raise Forbidden("this unsubscribe link is not valid", code="invalid_link") from exc
        if not self.signer.verify(t_ or "", "unsubscribe", property_id, email):
            raise Forbidden("this unsubscribe link is not valid", code="invalid_link")
        return email

    def _property(self, property_id: str) -> tuple[str, str | None]:
        """(name, language) of the property: one GetItem (none when it is gone)."""
        item = self.service.repository.property_item(property_id) or {}
        return str(item.get("name") or ""), item.get("default_language")

    def _page(self, lang: str, text: str, form: Html, tone: str, state: str) -> str:
        return render(PACKAGE, "page.html", lang=lang, title=t(lang, "unsubscribe.title"), text=text, form=form,
                      tone=tone, state=state, style=GUEST_STYLE)

    def page(self, property_id: str, g: str | None, t_: str | None, lang: str | None) -> tuple[int, str]:
        """(status, HTML): the confirmation page (a button posting back to the same link), or the refusal."""
        name, property_lang = self._property(property_id)
        lang = choose(lang, property_lang)
        try:
            email = self.verified_email(property_id, g, t_)
        except Forbidden:
            return 403, self._page(lang, t(lang, "unsubscribe.invalid"), Html(""), "bad", "invalid")
        form = render(PACKAGE, "unsubscribe_form.html", button=t(lang, "unsubscribe.button"))
        return 200, self._page(lang, t(lang, "unsubscribe.text", name=name, email=email), form, "", "confirm")

    def unsubscribe(self, property_id: str, g: str | None, t_: str | None, lang: str | None = None
                    ) -> tuple[int, str]:
        """One click (RFC 8058) or the page's button: unsubscribed from every e-mail of the property."""
        _, property_lang = self._property(property_id)
        lang = choose(lang, property_lang)
        try:
            email = self.verified_email(property_id, g, t_)
        except Forbidden:
            return 403, self._page(lang, t(lang, "unsubscribe.invalid"), Html(""), "bad", "invalid")
        self.service.unsubscribe(property_id, email, source="link")
        return 200, self._page(lang, t(lang, "unsubscribe.done"), Html(""), "good", "done")


__all__ = ["UnsubscribeLinks"]
