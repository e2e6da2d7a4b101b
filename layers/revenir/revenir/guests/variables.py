"""The variables a host can use in a lifecycle e-mail, per template kind: the back-office's list.

The names are those the senders pass to the renderer (revenir.guests.dispatch.Composer.variables for stays,
revenir.carts.reminders.cart_variables for abandoned carts); tests/unit/test_mail_variables.py fails when one
side gains or loses a variable. Examples are rendered by the real renderer from a sample stay.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from revenir.mail import rendering
from revenir.mail.content import MailContent

STAY_KINDS = ("pre_stay", "post_stay", "custom")
CART_KINDS = ("cart_reminder",)

# name (with its filter) -> (kinds, description, expression rendering the example when not `{{ name }}`)
CATALOG: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    "guest.first_name": (STAY_KINDS + CART_KINDS, "The guest's first name.", None),
    "guest.last_name": (STAY_KINDS + CART_KINDS, "The guest's last name (may be empty).", None),
    "guest.email": (STAY_KINDS + CART_KINDS, "The guest's e-mail address.", None),
    "property.name": (STAY_KINDS + CART_KINDS, "Your property's name.", None),
    "property.website": (STAY_KINDS + CART_KINDS, "Your website.", None),
    "property.contact_email": (STAY_KINDS + CART_KINDS, "Your contact e-mail address.", None),
    "property.contact_phone": (STAY_KINDS + CART_KINDS, "Your contact phone number.", None),
    "booking.booking_id": (STAY_KINDS, "The booking's reference.", None),
    "booking.arrival|date": (STAY_KINDS, "Arrival date, in the guest's language.", None),
    "booking.departure|date": (STAY_KINDS, "Departure date, in the guest's language.", None),
    "booking.nights": (STAY_KINDS, "Number of nights.", None),
    "booking.adults": (STAY_KINDS, "Number of adults.", None),
    "booking.children": (STAY_KINDS, "Number of children.", None),
    "booking.offers": (STAY_KINDS, "The booked rooms or offers (a list).",
                       "{{ booking.offers|join(', ') }}"),
    "booking.channel": (STAY_KINDS, "Where the guest booked (may be empty).", None),
    "booking.rate_plan": (STAY_KINDS, "The booked rate (may be empty).", None),
    "booking.total|money": (STAY_KINDS, "The booking's total, when the booking engine sent it.", None),
    "upsell_options": (STAY_KINDS, "Options offered to this guest (a list of {name, price}).",
                       "{{ upsell_options|map(attribute='name')|join(', ') }}"),
    "review_link": (STAY_KINDS, "The guest's personal link to the review form.", None),
    "cart.cart_id": (CART_KINDS, "The basket's reference.", None),
    "cart.recovery_url": (CART_KINDS, "Where the guest resumes the basket.", None),
    "cart.total|money": (CART_KINDS, "The basket's total.", None),
    "cart.arrival|date": (CART_KINDS, "Arrival date of the basket (may be empty).", None),
    "cart.departure|date": (CART_KINDS, "Departure date of the basket (may be empty).", None),
    "cart.lines": (CART_KINDS, "The basket's lines (a list of {name, amount}).",
                   "{{ cart.lines|map(attribute='name')|join(', ') }}"),
    "promo_code.code": (("post_stay", "custom", *CART_KINDS), "The offered promo code (when the template has one).",
                        None),
    "promo_code.name": (("post_stay", "custom"), "The promo code's name.", None),
    "promo_code.value": (("post_stay", "custom", *CART_KINDS), "The discount, e.g. -10 %.", None),
    "promo_code.valid_until|date": (("post_stay", "custom", *CART_KINDS), "The code's last valid day.", None),
    "unsubscribe_url": (STAY_KINDS + CART_KINDS, "The guest's one-click unsubscribe link.", None),
}


class Variable(BaseModel):
    name: str
    example: str
    description: str


class Variables(BaseModel):
    variables: list[Variable]


def names(kind: str) -> list[str]:
    return [name for name, (kinds, _, _) in CATALOG.items() if kind in kinds]


def roots(variables: dict[str, Any], prefix: str = "") -> set[str]:
    """The dotted names a variables dict offers (a dict of amount and currency, a list or None is one name)."""
    found: set[str] = set()
    for name, value in variables.items():
        if isinstance(value, dict) and set(value) != {"amount", "currency"}:
            found |= roots(value, f"{prefix}{name}.")
        else:
            found.add(f"{prefix}{name}")
    return found


def listing(kind: str, variables: dict[str, Any], language: str) -> Variables:
    """The kind's variables, each with its example rendered from `variables` by the real renderer."""
    listed = []
    for name in names(kind):
        _, description, expression = CATALOG[name]
        try:
            example = rendering.render(MailContent(expression or f"{{{{ {name} }}}}", "-", "-"), variables,
                                       language).subject
        except Exception:  # a sample without that value (an empty field): no example
            example = ""
        listed.append(Variable(name=name, example=example, description=description))
    return Variables(variables=listed)


__all__ = ["CATALOG", "Variable", "Variables", "listing", "names", "roots"]
