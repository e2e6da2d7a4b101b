"""The mail dispatcher: every tick, the e-mails now due — read through the queue index, never a scan —
each claimed by a conditional write (so overlapping or repeated ticks send it once), rendered in the
guest's language and segment, sent through SES, and its outcome recorded.

Who may receive what:
- nobody who unsubscribed, or whose address SES reported as bounced or complaining;
- transactional messages (stay information): every other valid address;
- marketing messages (offers, codes, reviews): only guests who consented, never an OTA relay address
  (@guest.booking.com, @guest.airbnb.com…) whose terms allow stay information only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from revenir.core import clock
from revenir.core.errors import InvalidInput, RevenirError
from revenir.core.signing import Signer, review_url, unsubscribe_url
from revenir.guests.bookings import Booking, is_ota_relay
from revenir.guests.lifecycle import effective_templates
from revenir.guests.segments import Segment, member_of, targeted
from revenir.guests.store import GuestRepository, PropertyContext
from revenir.guests.templates import Content, MailTemplate
from revenir.i18n.formats import format_money, format_percent
from revenir.mail import message as mime
from revenir.mail import rendering
from revenir.mail.content import RenderedMail
from revenir.mail.sender import PROPERTY_TAG, TRANSIENT_CODES, Mailer, SendError
from revenir.table import queues
from revenir.table.dynamodb import Item, public

MAX_ATTEMPTS = 5
IN_TICK_RETRIES = 3
#: A claimed message whose outcome is not recorded within this time was interrupted (a Lambda timeout).
CLAIM_LEASE = timedelta(minutes=10)
#: A message handed to the send queue comes back on the due index after this long, should its SQS message be
#: lost (it is then handed over again; the consumer's claim makes a second delivery send nothing).
QUEUED_LEASE = timedelta(minutes=30)


class MessageQueue(Protocol):
    def enqueue(self, bodies: Iterable[dict[str, Any]]) -> int: ...


def lifecycle_message(item: Item) -> dict[str, str]:
    """The send queue's body for one lifecycle e-mail (its keys and what the claim's queue key needs)."""
    return {"kind": "lifecycle", "pk": item["pk"], "sk": item["sk"], "p": item["property_id"], "e": item["email"],
            "b": item["booking_id"], "t": item["template_id"]}


@dataclass
class TickReport:
    read: int = 0
    claimed: int = 0
    sent: int = 0
    suppressed: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0
    queued: int = 0
    outcomes: list[dict[str, Any]] = field(default_factory=list)


def problem_kind(reason: str, sender_refused: bool = False) -> str:
    """What a host can do about a failed message: fix a `template`, check the `sender` (a permanent SES
    refusal), or wait (`transient`: SES kept refusing after every retry; `interrupted`: resend by hand)."""
    if sender_refused:
        return "transient" if reason in TRANSIENT_CODES else "sender"
    if reason.startswith("template_"):
        return "template"
    if reason == "interrupted":
        return "interrupted"
    if reason in TRANSIENT_CODES:
        return "transient"
    return "error"  # a bad record or a bug: the message says which


def suppression_reason(category: str, email: str, profile: Item | None, suppressed: Item | None) -> str | None:
    if suppressed is not None:
        return f"address_{suppressed.get('reason', 'suppressed')}"
    if profile and profile.get("unsubscribed"):
        return "unsubscribed"
    if category == "marketing":
        if is_ota_relay(email):
            return "ota_relay_address"
        if not (profile and profile.get("marketing_consent")):
            return "no_marketing_consent"
    return None


def choose_content(template: MailTemplate, membership: set[str], language: str | None,
                   fallback: str) -> tuple[str, Content]:
    """The first variant targeting the guest's segments, else the base texts; the guest's language, else the
    property's, else English, else any."""
    versions = template.versions
    for variant in template.variants:
        if targeted(variant, membership) and variant.versions:
            versions = variant.versions
            break
    for candidate in (language, fallback, "en"):
        if candidate and candidate in versions:
            return candidate, versions[candidate]  # type: ignore[index, unused-ignore]
    if not versions:  # a template saved with no text in any language (was a StopIteration: a 500)
        raise InvalidInput("this template has no text in any language", code="template_empty",
                           details=[{"field": "body.versions", "message": "add at least one language"}])
    first = next(iter(versions))
    return first, versions[first]


@dataclass
class Composer:
    """Builds one lifecycle e-mail: variables, variant, upsells, signed links."""

    signer: Signer
    base_url: str
    promo_lookup: Callable[[str, str], Any] | None = None  # (property_id, promo_id) -> PromoCode

    def variables(self, context: PropertyContext, template: MailTemplate, booking: Booking, membership: set[str],
                  language: str, with_unsubscribe: bool) -> dict[str, Any]:
        prop = context.property_item or {}
        upsells = []
        for upsell in template.upsells:
            offer = context.offers.get(upsell.offer_id)
            if offer and targeted(upsell, membership):
                upsells.append({"offer_id": upsell.offer_id, "name": offer["name"],
                                "price": {"amount": offer["price"], "currency": offer["currency"]}})
        promo = None
        if template.promo_code_id and self.promo_lookup:
            try:
                code = self.promo_lookup(booking.property_id, template.promo_code_id)
                value = (format_money(code.discount.amount, code.discount.currency, language)
                         if code.discount.type == "amount" else f"-{format_percent(code.discount.percent, language)}")
                promo = {"code": code.code, "name": code.name, "value": value, "valid_until": str(code.valid_until)}
            except Exception:  # an archived or deleted code: the message goes without it
                promo = None
        offers = [context.offers[o]["name"] for o in booking.offer_ids if o in context.offers]
        variables = {
            "guest": {"first_name": booking.first_name, "last_name": booking.last_name, "email": booking.email},
            "booking": {"booking_id": booking.booking_id, "arrival": str(booking.arrival),
                        "departure": str(booking.departure), "nights": booking.nights, "adults": booking.adults,
                        "children": booking.children, "offers": offers, "channel": booking.channel,
                        "rate_plan": booking.rate_plan,
                        "total": ({"amount": booking.total, "currency": booking.currency or prop.get("currency")}
                                  if booking.total is not None else None)},
            "property": {"name": prop.get("name"), "contact_email": prop.get("contact_email"),
                         "contact_phone": prop.get("contact_phone"), "website": prop.get("website")},
            "upsell_options": upsells, "promo_code": promo,
            "review_link": review_url(self.signer, self.base_url, booking.property_id, booking.booking_id, language),
            "unsubscribe_url": (unsubscribe_url(self.signer, self.base_url, booking.property_id, booking.email,
                                                language) if with_unsubscribe else None),
        }
        return variables

    def compose(self, context: PropertyContext, template: MailTemplate, booking: Booking, profile: Item | None,
                repeat_guest: bool, recipient: str | None = None, language: str | None = None
                ) -> tuple[bytes, str, RenderedMail]:
        prop = context.property_item or {}
        wanted = language or (profile or {}).get("language") or booking.language
        segments = [Segment.model_validate(public(s)) for s in context.segments]
        membership = member_of(segments, booking, repeat_guest, (profile or {}).get("tags", []))
        lang, content = choose_content(template, membership, wanted, prop.get("default_language", "en"))
        variables = self.variables(context, template, booking, membership, lang, with_unsubscribe=True)
        rendered = rendering.render(content.mail(), variables, lang)
        envelope = mime.Envelope(sender=prop["sender_email"], sender_name=prop["name"],
                                 recipient=recipient or booking.email, reply_to=prop.get("contact_email"),
                                 unsubscribe_url=variables["unsubscribe_url"])
        return mime.build(envelope, rendered), lang, rendered


class Dispatcher:
    def __init__(self, repository: GuestRepository, mailer: Mailer, composer: Composer,
                 sleep: Callable[[float], None] = time.sleep):
        self.repository = repository
        self.mailer = mailer
        self.composer = composer
        self.sleep = sleep
        self._contexts: dict[str, tuple[PropertyContext, dict[str, MailTemplate]]] = {}

    def tick(self, max_messages: int = 500) -> TickReport:
        """Send what is due now. Reads only due messages (the queue index is sorted by send time)."""
        now = clock.now()
        now_iso = clock.iso(now)
        report = TickReport()
        for message in self.repository.due_messages(now_iso, max_messages, queues.rotation_of(now)):
            report.read += 1
            self._handle_safely(message, now, report)
        self._contexts.clear()
        return report

    def enqueue_due(self, queue: MessageQueue, max_messages: int = 5000) -> TickReport:
        """The tick with the send queue (docs/campaigns.md, "The sending pipeline"): what is due now is handed
        to the queue's consumers (pending -> queued, conditional), which send at the SES account's rate."""
        now = clock.now()
        now_iso, lease = clock.iso(now), clock.iso(now + QUEUED_LEASE)
        report = TickReport()
        bodies = []
        for message in self.repository.due_messages(now_iso, max_messages, queues.rotation_of(now)):
            report.read += 1
            status = message.get("status")
            if status == "sending":  # a consumer claimed it and died before recording the outcome
                self._interrupted(message, report)
                continue
            if status not in ("pending", "queued"):
                continue
            claimed = self.repository.claim(message, now_iso, lease, from_status=str(status), to_status="queued")
            if claimed is not None:
                bodies.append(lifecycle_message(claimed))
        report.queued = queue.enqueue(bodies) if bodies else 0
        return report

    def send_queued(self, body: dict[str, Any]) -> TickReport:
        """The send queue's consumer, for one lifecycle e-mail: claimed queued -> sending (a duplicate delivery
        finds it claimed and sends nothing), then rendered, sent and recorded as a tick does. A dispatcher serves
        one batch: the property's context is read once per batch."""
        now = clock.now()
        report = TickReport()
        message = {"pk": body["pk"], "sk": body["sk"], "property_id": body["p"], "email": body["e"],
                   "booking_id": body["b"], "template_id": body["t"]}
        claimed = self.repository.claim(message, clock.iso(now), clock.iso(now + CLAIM_LEASE), from_status="queued")
        if claimed is None:
            return report
        report.read = 1
        try:
            self._handle(claimed, now, report)
        except Exception as exc:
            reason = exc.code if isinstance(exc, RevenirError) else type(exc).__name__
            self._finish(claimed, "failed", report, reason=reason, error=str(exc)[:500])
        return report

    def _context(self, property_id: str) -> tuple[PropertyContext, dict[str, MailTemplate]]:
        """The property's context and effective templates, read and validated once per tick."""
        if property_id not in self._contexts:
            context = self.repository.property_context(property_id)
            self._contexts[property_id] = context, effective_templates(context.templates)
        return self._contexts[property_id]

    def _handle_safely(self, message: Item, now: datetime, report: TickReport) -> None:
        if message.get("status") == "sending":  # its lease is over: the tick that claimed it died mid-way
            self._interrupted(message, report)
            return
        claimed = self.repository.claim(message, clock.iso(now), clock.iso(now + CLAIM_LEASE))
        if claimed is None:
            return  # another tick has it
        try:
            self._handle(claimed, now, report)
        except Exception as exc:  # a broken template, a bad record: recorded on the message, the tick goes on
            reason = exc.code if isinstance(exc, RevenirError) else type(exc).__name__  # template_over_budget…
            self._finish(claimed, "failed", report, reason=reason, error=str(exc)[:500])

    def _handle(self, claimed: Item, now: datetime, report: TickReport) -> None:
        report.claimed += 1
        pid, bid, email, tid = claimed["property_id"], claimed["booking_id"], claimed["email"], claimed["template_id"]
        context, templates = self._context(pid)
        template = templates.get(tid)
        found = self.repository.dispatch_context(pid, bid, email)
        booking_item = found["booking"]
        stop = None
        if template is None or not template.enabled:
            stop = "template_disabled"
        elif booking_item is None or booking_item.get("status") == "cancelled" or booking_item.get("email") != email:
            stop = "booking_cancelled_or_changed"
        if stop:
            self._finish(claimed, "cancelled", report, reason=stop)
            return
        assert template is not None and booking_item is not None
        reason = suppression_reason(template.category, email, found["profile"], found["suppressed"])
        if reason:
            self._finish(claimed, "suppressed", report, reason=reason)
            return
        booking = Booking.model_validate(booking_item)
        repeat = bool(set((found["stays"] or {}).get("booking_ids", set())) - {bid})
        raw, language, rendered = self.composer.compose(context, template, booking, found["profile"], repeat)
        prop = context.property_item or {}
        error: SendError | None = None
        for attempt in range(IN_TICK_RETRIES):
            try:
                message_id = self.mailer.send(prop["sender_email"], email, raw,
                                              tags={PROPERTY_TAG: claimed["property_id"]})
                self._finish(claimed, "sent", report, message_id=message_id, language=language,
                             subject=rendered.subject, sent_at=clock.iso(clock.now()))
                return
            except SendError as exc:
                error = exc
                if not exc.transient:
                    break
                self.sleep(0.2 * 2**attempt)
        assert error is not None
        if error.transient and int(claimed.get("attempts", 1)) < MAX_ATTEMPTS:
            retry_at = clock.iso(now + timedelta(minutes=5 * 2 ** int(claimed.get("attempts", 1))))
            self.repository.finish(claimed, {"status": "pending", "send_at": retry_at, "last_error": error.code},
                                   requeue_at=retry_at)
            report.retried += 1
            report.outcomes.append({"sk": claimed["sk"], "status": "retry", "error": error.code})
            return
        self._finish(claimed, "failed", report, reason=error.code, error=str(error)[:500], kind=problem_kind(
            error.code, sender_refused=True))

    def _interrupted(self, message: Item, report: TickReport) -> None:
        """Not resent (SES may have accepted it: a duplicate is worse than a gap); recorded for the host."""
        try:
            self._finish(message, "failed", report, reason="interrupted",
                         error="the send was interrupted before its outcome was recorded; resend it by hand if needed")
        except Exception as exc:
            if "ConditionalCheckFailed" not in type(exc).__name__ and "ConditionalCheckFailed" not in str(exc):
                raise  # otherwise its outcome was recorded meanwhile

    def _finish(self, claimed: Item, status: str, report: TickReport, kind: str | None = None, **fields: Any
                ) -> None:
        now_iso = clock.iso(clock.now())
        self.repository.finish(claimed, {"status": status, "finished_at": now_iso,
                                         **{k: v for k, v in fields.items() if v is not None}})
        setattr(report, status, getattr(report, status) + 1)
        report.outcomes.append({"sk": claimed["sk"], "status": status, **fields})
        if status == "failed":
            reason = str(fields.get("reason") or "unknown")
            self._record_problem(claimed, reason, kind or problem_kind(reason), fields.get("error"), now_iso)

    def _record_problem(self, claimed: Item, reason: str, kind: str, error: str | None, at: str) -> None:
        """A message that will not be sent is the host's to know (GET …/mail-problems); never stops the tick."""
        try:
            self.repository.record_mail_problem(claimed["property_id"], reason, kind, error,
                                                claimed.get("template_id"), claimed.get("email"), at)
        except Exception:  # the failure itself is recorded on the message; the counter is best effort
            logging.getLogger(__name__).exception("mail problem not recorded", extra={"reason": reason})
