"""The back-office's variable list and the senders' variables are the same set: a variable added to (or
removed from) an e-mail's rendering without the list, or the other way round, fails here."""

from __future__ import annotations

from datetime import date

from revenir.carts.models import Cart
from revenir.carts.reminders import cart_variables
from revenir.core.signing import Signer
from revenir.guests.dispatch import Composer
from revenir.guests.mail_templates import sample_booking
from revenir.guests.store import PropertyContext
from revenir.guests.templates import MailTemplate
from revenir.guests.variables import CART_KINDS, CATALOG, STAY_KINDS, listing, names, roots

PROPERTY = {"name": "Le Moulin", "time_zone": "Europe/Paris", "sender_email": "moulin@example.com",
            "currency": "EUR", "website": "https://moulin.example"}
OFFERS = {"chambre": {"name": "Chambre", "price": 9000, "currency": "EUR"}}


def catalog_roots(kinds: tuple[str, ...]) -> set[str]:
    return {name.split("|")[0] for kind in kinds for name in names(kind)}


def stay_variables() -> dict[str, object]:
    context = PropertyContext(property_item=PROPERTY, offers=OFFERS)
    template = MailTemplate.model_validate({"template_id": "t", "name": "t", "kind": "post_stay",
                                            "category": "marketing", "trigger": {"type": "after_departure",
                                                                                 "days": 1}, "versions": {}})
    composer = Composer(Signer("s" * 32), "https://revenir.example")
    return composer.variables(context, template, sample_booking("demo", context), set(), "fr", True)


def test_the_stay_variables_are_the_listed_ones() -> None:
    variables = stay_variables()
    variables["promo_code"] = {"code": "X", "name": "n", "value": "-10 %", "valid_until": "2027-01-01"}
    assert roots(variables) == catalog_roots(STAY_KINDS)


def test_the_cart_reminder_variables_are_the_listed_ones() -> None:
    cart = Cart.model_validate({"cart_id": "c1", "email": "a@example.com", "first_name": "A", "property_id": "demo",
                                "lines": [{"offer_id": "chambre", "amount": 9000, "currency": "EUR"}],
                                "total": 9000, "currency": "EUR", "recovery_url": "https://x.example/c1",
                                "arrival": date(2027, 1, 1), "departure": date(2027, 1, 3),
                                "started_at": "2026-12-01T00:00:00Z", "updated_at": "2026-12-01T00:00:00Z"})
    promo = {"code": "X", "value": "-10 %", "valid_until": "2027-01-01"}
    assert roots(cart_variables(cart, PROPERTY, OFFERS, promo, "https://u.example")) == catalog_roots(CART_KINDS)


def test_examples_are_rendered_by_the_renderer() -> None:
    listed = {v.name: v.example for v in listing("pre_stay", stay_variables(), "fr").variables}
    assert listed["guest.first_name"] == "Martin" and listed["property.name"] == "Le Moulin"
    assert listed["booking.offers"] == "Chambre" and "promo_code.code" not in listed
    assert all(name in CATALOG for name in listed)
