"""A paid order whose vouchers cannot be issued (issue 12, item 16): refunded, the buyer and the host told.

Never "charged, nothing issued, every webhook delivery a 500": a permanent issuing failure (the product is gone,
the payment is not the order's, the data cannot make a voucher) moves the order `pending -> issue_failed`
(conditional write), the whole PaymentIntent is refunded (idempotency key `refund-{order_id}`), the order
moves `issue_failed -> refunded`, then each notice (buyer, host) is claimed, sent and kept. A transient failure
(DynamoDB throttling, a racing writer) is not settled here: the webhook answers 5xx and Stripe retries.
Renders mail (jinja2): only the webhook function imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

from revenir.core import clock
from revenir.i18n.formats import format_money
from revenir.mail import message as mime
from revenir.mail import rendering
from revenir.mail.sender import Mailer
from revenir.properties.models import Property
from revenir.properties.store import PropertyRepository
from revenir.vouchers.mail_defaults import ISSUE_FAILED
from revenir.vouchers.store import VoucherRepository


class Refunds(Protocol):
    def refund(self, *, payment_intent_id: str, idempotency_key: str, reason: str,
               stripe_account: str | None = None) -> str: ...


def _language(candidate: Any, fallback: str) -> str:
    for language in (candidate, fallback, "en"):
        if language in ISSUE_FAILED["buyer"]:
            return str(language)
    return "en"


def notice(prop: Property, order: dict[str, Any], audience: str) -> tuple[str, bytes]:
    """(recipient, raw MIME) of the refund notice: the buyer's in their language, the host's in the property's."""
    buyer = order["buyer"]
    language = _language(buyer.get("language") if audience == "buyer" else None, prop.default_language)
    variables = {"property": {"name": prop.name, "contact_email": prop.contact_email},
                 "order": {"number": order["order_number"], "buyer_name": f"{buyer['first_name']} {buyer['last_name']}",
                           "buyer_email": buyer["email"], "reason": order.get("issue_failure", ""),
                           "refund_id": order.get("refund_id", ""),
                           "amount": format_money(int(order["total"]), str(order["currency"]), language)}}
    rendered = rendering.render(ISSUE_FAILED[audience][language], variables, language)
    to = buyer["email"] if audience == "buyer" else prop.contact_email
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = mime.mailbox(prop.name if audience == "buyer" else "Revenir", prop.sender_email)
    message["To"] = to
    if audience == "buyer" and prop.contact_email:
        message["Reply-To"] = prop.contact_email
    message["Message-ID"] = make_msgid(domain="revenir.example")
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(mime.inline_css(rendered.html), subtype="html", cte="quoted-printable")
    return str(to), mime.serialize(message)


@dataclass(frozen=True)
class FailedOrders:
    vouchers: VoucherRepository
    properties: PropertyRepository
    gateway: Refunds
    mailer: Mailer

    def settle(self, property_id: str, order_id: str, payment_intent_id: str, reason: str) -> dict[str, Any]:
        """Refund and tell; idempotent: a replay refunds nothing more and sends no notice twice."""
        now = clock.now()
        self.vouchers.mark_issue_failed(property_id, order_id, payment_intent_id, reason, now)
        order = self.vouchers.get_order(property_id, order_id)
        if order["status"] == "issue_failed":  # first delivery, or a retry after the gateway failed
            refund_id = self.gateway.refund(
                payment_intent_id=str(order.get("refund_payment_intent_id") or payment_intent_id),
                idempotency_key=f"refund-{order_id}", reason=str(order.get("issue_failure") or reason),
                stripe_account=order.get("stripe_account"))  # a direct charge is refunded on its own account
            self.vouchers.mark_refunded(property_id, order_id, refund_id, now)
            order = self.vouchers.get_order(property_id, order_id)
        if order["status"] != "refunded":  # issued meanwhile by a concurrent delivery: nothing to settle
            return {"refunded": False}
        prop = self.properties.get(property_id)
        sent = 0
        for audience in ("buyer", "host"):
            if not self.vouchers.claim_failure_notice(property_id, order_id, audience, now):
                continue
            try:
                to, raw = notice(prop, order, audience)
                self.mailer.send(prop.sender_email, to, raw)
            except Exception:
                self.vouchers.release_failure_notice(property_id, order_id, audience)
                raise
            sent += 1
        return {"refunded": True, "refund_id": order.get("refund_id"), "reason": order.get("issue_failure"),
                "notices_sent": sent}


__all__ = ["FailedOrders", "notice"]
