"""The abandoned-cart flow's steps (run by Step Functions through one Lambda): read the cart, issue a single-use
recovery code, send a reminder. Each step is idempotent, so the state machine's Retry can repeat it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from revenir.carts.models import Cart, recovery_code_for
from revenir.carts.store import CartRepository
from revenir.codes.models import PromoCodeInput
from revenir.codes.store import PromoCodeRepository
from revenir.core import clock, ids
from revenir.core.errors import Conflict
from revenir.core.signing import Signer, unsubscribe_url
from revenir.guests.lifecycle import effective_templates
from revenir.guests.store import GuestRepository
from revenir.i18n.formats import format_percent
from revenir.mail import message as mime
from revenir.mail import rendering
from revenir.mail.sender import Mailer


class CartReminders:
    def __init__(self, carts: CartRepository, guests: GuestRepository, promos: PromoCodeRepository, mailer: Mailer,
                 signer: Signer, base_url: str):
        self.carts = carts
        self.guests = guests
        self.promos = promos
        self.mailer = mailer
        self.signer = signer
        self.base_url = base_url

    def _reachable(self, property_id: str, email: str) -> str | None:
        """Why the guest must not be written to, or None."""
        found = self.guests.profiles(property_id, [email])[email]
        if found["suppressed"] is not None:
            return "address_suppressed"
        if (found["profile"] or {}).get("unsubscribed"):
            return "unsubscribed"
        return None

    def load(self, property_id: str, cart_id: str) -> dict[str, Any]:
        cart = self.carts.get(property_id, cart_id)
        templates = effective_templates(self.guests.property_context(property_id).templates)
        blocked = self._reachable(property_id, cart.email)
        return {"status": cart.status, "reachable": blocked is None, "blocked_reason": blocked,
                "abandoned_enabled": templates["abandoned_payment"].enabled,
                "payment_failed_enabled": templates["payment_failed"].enabled}

    def issue_code(self, property_id: str, cart_id: str) -> dict[str, Any]:
        """A single-use promo code for this guest (the property's discount, valid N hours), through the promo
        code engine. Deterministic per cart: a retry finds the code it already made."""
        cart = self.carts.get(property_id, cart_id)
        if cart.recovery_code:
            return {"code": cart.recovery_code}
        settings = self.carts.settings(property_id)
        time_zone = str((self.guests.property_context(property_id).property_item or {})["time_zone"])
        now = clock.now()
        today = now.astimezone(ZoneInfo(time_zone)).date()
        until = (now + timedelta(hours=settings.code_validity_hours)).astimezone(ZoneInfo(time_zone)).date()
        code = recovery_code_for(property_id, cart_id)
        data = PromoCodeInput(
            name=f"Relance panier {cart_id}", code=code,
            discount={"type": "percent", "percent": settings.discount_percent},  # type: ignore[arg-type,unused-ignore]
            valid_from=today, valid_until=until, max_uses=1, max_uses_per_guest=1)
        try:
            self.promos.create(property_id, data, ids.new_id("pc"), today, clock.iso(now))
        except Conflict as exc:
            if exc.code not in ("code_in_use", "name_taken"):  # made by an earlier try of this very step
                raise
        return {"code": self.carts.set_code(property_id, cart_id, code, str(until))}

    def send(self, property_id: str, cart_id: str, template_id: str, attempt: int = 1) -> dict[str, Any]:
        """Send a reminder once (claimed before sending: a retried step never sends twice)."""
        cart = self.carts.get(property_id, cart_id)
        if cart.status == "paid":
            return {"sent": False, "reason": "paid"}
        context = self.guests.property_context(property_id)
        template = effective_templates(context.templates)[template_id]
        if not template.enabled:
            return {"sent": False, "reason": "template_disabled"}
        blocked = self._reachable(property_id, cart.email)
        if blocked:
            return {"sent": False, "reason": blocked}
        claim = template_id if attempt == 1 else f"{template_id}_{attempt}"
        now = clock.now()
        if not self.carts.claim_reminder(property_id, cart_id, claim, clock.iso(now)):
            return {"sent": False, "reason": "already_sent_or_paid"}
        prop = context.property_item or {}
        language = next((lang for lang in (cart.language, prop.get("default_language"), "en")
                         if lang in template.versions), next(iter(template.versions)))
        offers = context.offers
        promo = None
        if cart.recovery_code and template_id == "abandoned_payment":
            settings = self.carts.settings(property_id)
            if cart.recovery_code_valid_until and cart.recovery_code_valid_until >= str(
                    now.astimezone(ZoneInfo(prop["time_zone"])).date()):  # a second reminder after it expired: no code
                promo = {"code": cart.recovery_code, "value": format_percent(settings.discount_percent, language),
                         "valid_until": cart.recovery_code_valid_until}
        link = unsubscribe_url(self.signer, self.base_url, property_id, cart.email, language)  # the page's language
        variables = cart_variables(cart, prop, offers, promo, link)
        rendered = rendering.render(template.versions[language].mail(), variables, language)  # type: ignore[index,unused-ignore]
        raw = mime.build(mime.Envelope(sender=prop["sender_email"], sender_name=prop["name"], recipient=cart.email,
                                       reply_to=prop.get("contact_email"),
                                       unsubscribe_url=link), rendered)
        try:
            message_id = self.mailer.send(prop["sender_email"], cart.email, raw)
        except Exception:
            self.carts.finish_reminder(property_id, cart_id, claim, "failed", clock.iso(now))
            raise
        self.carts.finish_reminder(property_id, cart_id, claim, "sent", clock.iso(now))
        if attempt == 1:
            self.carts.count(property_id, local_day(now, prop["time_zone"]), reminded=1)
        return {"sent": True, "message_id": message_id, "language": language}


def local_day(at: datetime, time_zone: str) -> str:
    return str(at.astimezone(ZoneInfo(time_zone)).date())


def cart_variables(cart: Cart, prop: dict[str, Any], offers: dict[str, Any], promo: dict[str, Any] | None,
                   unsubscribe: str) -> dict[str, Any]:
    """What a cart reminder's template can use (the back-office lists them: revenir.guests.variables)."""
    return {
        "guest": {"first_name": cart.first_name, "last_name": cart.last_name, "email": cart.email},
        "property": {"name": prop.get("name"), "contact_email": prop.get("contact_email"),
                     "contact_phone": prop.get("contact_phone"), "website": prop.get("website")},
        "cart": {"cart_id": cart.cart_id, "recovery_url": recovery_link(cart.recovery_url, promo),
                 "total": {"amount": cart.total, "currency": cart.currency},
                 "arrival": str(cart.arrival) if cart.arrival else None,
                 "departure": str(cart.departure) if cart.departure else None,
                 "lines": [{"offer_id": li.offer_id, "name": offers.get(li.offer_id, {}).get("name", li.offer_id),
                            "amount": {"amount": li.amount, "currency": li.currency}} for li in cart.lines]},
        "promo_code": promo,
        "unsubscribe_url": unsubscribe,
    }


#: The query parameter a recovery link carries its code in; <revenir-widget> applies it (docs/abandoned-carts.md).
CODE_PARAMETER = "revenir_code"


def recovery_link(url: str, promo: dict[str, Any] | None) -> str:
    """The booking engine's recovery URL with the reminder's code added (`revenir_code=RETOUR-…`), so the
    page that restores the basket can apply it; the URL's own query and fragment are kept."""
    code = (promo or {}).get("code")
    if not code:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != CODE_PARAMETER]
    return urlunsplit(parts._replace(query=urlencode([*query, (CODE_PARAMETER, str(code))])))
