"""The gift e-mails (the buyer's and the recipient's): claimed, sent, recorded — never sent then marked.

Its own module because it renders mail (jinja2): only the webhook and delivery function imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from revenir.core import clock
from revenir.mail.sender import SesMailer
from revenir.properties.store import PropertyRepository
from revenir.vouchers import mail as voucher_mail
from revenir.vouchers.store import VoucherRepository


@dataclass(frozen=True)
class GiftDeliveries:
    vouchers: VoucherRepository
    properties: PropertyRepository
    mailer: SesMailer

    def send(self, property_id: str, order_id: str, to: str) -> str | None:
        """Send one delivery ("buyer" or "recipient"); None when another sender claimed it first. A failed send
        goes back in the queue (due now) and raises."""
        now = clock.now()
        if not self.vouchers.claim_delivery(property_id, order_id, to, now):
            return None
        try:
            prop = self.properties.get(property_id)
            order = self.vouchers.get_order(property_id, order_id)
            items = [self.vouchers.get_voucher_item(property_id, code) for code in order["codes"]]
            recipient, raw = voucher_mail.build(prop, order, items, to)
            message_id = self.mailer.send(prop.sender_email, recipient, raw)
        except Exception:
            self.vouchers.requeue_delivery(property_id, order_id, to, now)
            raise
        self.vouchers.finish_delivery(property_id, order_id, to, message_id, now)
        return message_id

    def due_of_order(self, property_id: str, order_id: str) -> list[str]:
        """The order's deliveries queued and due now (the buyer's at once; the recipient's on the chosen day)."""
        now = clock.iso(clock.now())
        due = []
        for to in ("buyer", "recipient"):
            delivery = self.vouchers.delivery(property_id, order_id, to)
            if delivery and delivery["status"] == "queued" and delivery["due_at"] <= now:
                due.append(to)
        return due

    def due(self, now: datetime | None = None) -> list[tuple[str, str, str]]:
        """(property, order, to) of every delivery whose time has come, from gsi1's queue."""
        return self.vouchers.due_deliveries(now or clock.now())


__all__ = ["GiftDeliveries"]
