"""Bookings in, lifecycle e-mails planned: each booking's messages stored with their UTC send time,
rescheduled when the booking changes, withdrawn when it is cancelled. Plus the guest-side operations:
profile, unsubscribe, delete, GDPR export and erasure."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from revenir.core import clock
from revenir.core.errors import NotFound
from revenir.guests import keys
from revenir.guests.bookings import Booking, BookingInput, ManualGuestInput, is_ota_relay
from revenir.guests.gdpr import BookingRatings, GuestDataHolder, GuestRef
from revenir.guests.mail_defaults import DEFAULTS
from revenir.guests.store import GuestRecord, GuestRepository, event_item, queue_sort_key
from revenir.guests.templates import MailTemplate, planned_send
from revenir.table import queues
from revenir.table.dynamodb import Item, public

STAY_STATUSES = ("confirmed", "checked_in", "checked_out")


def effective_templates(stored: dict[str, Item]) -> dict[str, MailTemplate]:
    """Revenir's defaults, overridden by the property's own templates (same id)."""
    templates = {tid: MailTemplate.model_validate(t) for tid, t in DEFAULTS.items()}
    for tid, item in stored.items():
        templates[tid] = MailTemplate.model_validate({**public(item), "customized": True})
    return templates


def plan(booking: Booking, templates: dict[str, MailTemplate], time_zone: str, now: datetime) -> dict[str, datetime]:
    """template id -> when to send, for the enabled templates that apply to this booking now."""
    if booking.status == "cancelled":
        return {}
    booked_at = datetime.fromisoformat(booking.created_at.replace("Z", "+00:00"))
    planned: dict[str, datetime] = {}
    for template in templates.values():
        if not template.enabled or template.kind == "cart_reminder":
            continue
        if template.kind == "pre_stay" and booking.status in ("checked_in", "checked_out"):
            continue
        at = planned_send(template, booking.arrival, booking.departure, booked_at, now, time_zone)
        if at is not None:
            planned[template.template_id] = at
    return planned


@dataclass
class BookingResult:
    booking: Booking
    created: bool
    changed: bool
    scheduled: list[Item]


class LifecycleService:
    """The guests capability's use cases. `holders` are the other capabilities' stores that keep guest data
    (GDPR export and erasure loop over them); `ratings` gives the profile each stay's review rating."""

    def __init__(self, repository: GuestRepository, holders: Sequence[GuestDataHolder] = (),
                 ratings: BookingRatings | None = None):
        self.repository = repository
        self.holders = tuple(holders)
        self.ratings = ratings

    def upsert_booking(self, property_id: str, booking_id: str, data: BookingInput) -> BookingResult:
        now = clock.now()
        now_iso = clock.iso(now)
        context = self.repository.property_context(property_id)
        time_zone = str((context.property_item or {})["time_zone"])
        previous = self.repository.get_booking(property_id, booking_id)
        booking = Booking(booking_id=booking_id, property_id=property_id,
                          created_at=previous["created_at"] if previous else now_iso, updated_at=now_iso,
                          **data.model_dump())
        if previous and Booking.model_validate(previous).model_dump(exclude={"updated_at"}) == booking.model_dump(
                exclude={"updated_at"}):
            return BookingResult(Booking.model_validate(previous), False, False, [])  # a retry: nothing changes
        guest = self.repository.guest(property_id, booking.email)
        moved = previous is not None and previous["email"] != booking.email
        old_messages = (self.repository.guest(property_id, previous["email"]).messages(booking_id) if moved and previous
                        else guest.messages(booking_id))
        existing = {m["template_id"]: m for m in old_messages}
        planned = plan(booking, effective_templates(context.templates), time_zone, now)
        messages: list[Item] = []
        withdrawn: list[Item] = []
        events: list[Item] = []
        for template_id, message in existing.items():
            if message["status"] != "pending":
                continue  # sent, failed, suppressed: history, never touched
            if moved or template_id not in planned:
                withdrawn.append(message)
        sent_here = {m["template_id"] for m in guest.messages(booking_id)
                     if m["status"] not in ("pending", "cancelled")}
        for template_id, at in planned.items():
            old = existing.get(template_id)
            if template_id in sent_here:
                continue  # already sent (or being sent) to this address: never twice
            if old and not moved and old["status"] not in ("pending", "cancelled"):
                continue
            send_at = clock.iso(at)
            if old and not moved and old["status"] == "pending" and old["send_at"] == send_at:
                continue
            messages.append(self._message(booking, template_id, send_at, now_iso))
        kind = "booking_created" if previous is None else (
            "booking_cancelled" if booking.status == "cancelled" else "booking_updated")
        if guest.profile is None:
            events.append(event_item(property_id, booking.email, now_iso, "guest_created"))
        events.append(event_item(property_id, booking.email, now_iso, kind, booking_id=booking_id,
                                 arrival=str(booking.arrival), status=booking.status))
        self.repository.save_booking(booking, previous, messages, withdrawn, events,
                                     is_stay=booking.status in STAY_STATUSES)
        return BookingResult(booking, previous is None, True, messages)

    @staticmethod
    def _message(booking: Booking, template_id: str, send_at: str, now_iso: str) -> Item:
        pid, bid, email = booking.property_id, booking.booking_id, booking.email
        return {"pk": keys.guest_pk(pid, email), "sk": keys.message_sk(bid, template_id), "property_id": pid,
                "booking_id": bid, "template_id": template_id, "email": email, "send_at": send_at,
                "status": "pending", "scheduled_at": now_iso, "gsi1pk": queues.queue_pk(keys.MAIL_QUEUE, pid),
                "gsi1sk": queue_sort_key(send_at, pid, email, bid, template_id)}

    def add_guest(self, property_id: str, data: ManualGuestInput) -> BookingResult:
        """A guest added by hand is a booking of channel 'manual' (its e-mails follow the same rules)."""
        booking_id = f"manual-{secrets.token_hex(6)}"
        payload = BookingInput(**data.model_dump(), channel="manual")
        return self.upsert_booking(property_id, booking_id, payload)

    # ------------------------------------------------------------------ guest side
    def profile(self, property_id: str, email: str) -> dict[str, Any]:
        record = self.repository.guest(property_id, email)
        if record.profile is None:
            raise NotFound(f"no guest {email!r} at this property", code="guest_not_found")
        bookings = sorted((public(i) for i in record.items if i["sk"].startswith("BOOKING#")),
                          key=lambda b: b["arrival"], reverse=True)
        ratings = (self.ratings.ratings_by_booking(property_id, [b["booking_id"] for b in bookings])
                   if bookings and self.ratings else {})
        for booking in bookings:  # the rating the guest gave through our form, 0-5
            booking["rating"] = ratings.get(booking["booking_id"])
        emails = sorted((public(i) for i in record.messages()), key=lambda m: m["send_at"])
        events = [public(i) for i in record.items if i["sk"].startswith("EVENT#")]
        for mail in emails:  # an e-mail is its own history: its timeline entries are derived from it
            common = {"template_id": mail["template_id"], "booking_id": mail["booking_id"]}
            events.append({"kind": "email_scheduled", "at": mail["scheduled_at"], "send_at": mail["send_at"],
                           **common})
            if mail.get("finished_at"):
                events.append({"kind": f"email_{mail['status']}", "at": mail["finished_at"], **common,
                               **({"reason": mail["reason"]} if mail.get("reason") else {})})
        timeline = sorted(events, key=lambda e: e["at"], reverse=True)
        return {"guest": public(record.profile), "bookings": bookings, "emails": emails, "timeline": timeline,
                "revenue": sum(b.get("total") or 0 for b in bookings if b["status"] != "cancelled")}

    def unsubscribe(self, property_id: str, email: str, source: str) -> None:
        now_iso = clock.iso(clock.now())
        self.repository.unsubscribe(property_id, email, {"unsubscribed": True, "unsubscribed_at": now_iso,
                                                         "email": email, "property_id": property_id},
                                    event_item(property_id, email, now_iso, "unsubscribed", source=source))

    def delete_guest(self, property_id: str, email: str) -> int:
        """Remove the guest from the list: profile, links, timeline, pending e-mails (bookings stay the booking
        engine's). Returns the number of pending e-mails withdrawn."""
        record = self.repository.guest(property_id, email)
        if record.profile is None:
            raise NotFound(f"no guest {email!r} at this property", code="guest_not_found")
        pending = [m for m in record.messages() if m["status"] == "pending"]
        self.repository.delete_items(record.items)
        return len(pending)

    def _guest_ref(self, property_id: str, email: str, record: GuestRecord) -> GuestRef:
        prefix = keys.guest_link_sk("", "").removesuffix("#")
        links: dict[str, list[str]] = {}
        for item in record.items:
            if item["sk"].startswith(prefix):
                kind, ref = item["sk"].removeprefix(prefix).split("#", 1)
                links.setdefault(kind, []).append(ref)
        return GuestRef(property_id, email, frozenset(self._booking_ids(record)),
                        {k: tuple(v) for k, v in links.items()})

    def export(self, property_id: str, email: str) -> dict[str, Any]:
        """Everything held about an address at this property (GDPR art. 15/20), as JSON: the guest's own records,
        then each holder's sections (promo-code redemptions, carts, reviews, ...)."""
        record = self.repository.guest(property_id, email)
        guest = self._guest_ref(property_id, email, record)
        bookings = [public(b) for b in (self.repository.get_booking(property_id, bid)
                                        for bid in sorted(guest.booking_ids)) if b]
        suppressed = self.repository.suppressed(email)
        export: dict[str, Any] = {
            "email": email, "property_id": property_id, "exported_at": clock.iso(clock.now()),
            "profile": public(record.profile) if record.profile else None,
            "bookings": bookings, "stays": sorted(record.booking_ids),
            "emails": [public(m) for m in record.messages()],
            "timeline": [public(i) for i in record.items if i["sk"].startswith("EVENT#")],
            "address_suppression": public(suppressed) if suppressed else None,
            "ota_relay_address": is_ota_relay(email)}
        for holder in self.holders:
            export |= holder.export_guest(guest)
        return export

    def erase(self, property_id: str, email: str) -> dict[str, int]:
        """GDPR erasure: each holder erases or anonymises its records, the guest's bookings are anonymised (dates,
        totals and channel stay for the property's figures) and the guest's partition is deleted."""
        record = self.repository.guest(property_id, email)
        guest = self._guest_ref(property_id, email, record)
        report: dict[str, int] = {"items_deleted": len(record.items), "bookings_anonymised": len(guest.booking_ids)}
        for holder in self.holders:
            report |= holder.erase_guest(guest)
        for booking_id in guest.booking_ids:
            booking = self.repository.get_booking(property_id, booking_id)
            if booking and booking.get("email") == email:
                self.repository.anonymise_booking(
                    property_id, booking_id, {"first_name": "-", "last_name": "-",
                                              "email": f"erased-{secrets.token_hex(6)}@invalid",
                                              "erased_at": clock.iso(clock.now())}, ("phone", "tags", "country"))
        self.repository.delete_items(record.items)
        return report

    @staticmethod
    def _links(record: Any, kind: str) -> list[str]:
        prefix = keys.guest_link_sk(kind, "")
        return [i["sk"].removeprefix(prefix) for i in record.items if i["sk"].startswith(prefix)]

    @classmethod
    def _booking_ids(cls, record: Any) -> set[str]:
        return ({i["booking_id"] for i in record.items if i["sk"].startswith("BOOKING#")} | set(record.booking_ids)
                | set(cls._links(record, "REDEMPTION")))


def default_window(time_zone: str) -> tuple[date, date]:
    from datetime import timedelta

    today = clock.local_today(time_zone)
    return today, today + timedelta(days=30)


__all__ = ["UTC", "BookingResult", "LifecycleService", "default_window", "effective_templates", "plan"]
