"""The send queue's campaign messages: one SQS record is one recipient. Exactly once: the recipient item is
claimed (queued -> sending) by a conditional write before SES is called, and its outcome recorded from the
claimed state (sending -> sent, with its counter, in one transaction). A duplicate delivery finds it claimed or
done and sends nothing; SES throttling puts it back to queued and fails the record, so SQS redelivers it after
the visibility timeout (the back-off) while the pacer slows down; a consumer that died between claim and outcome
leaves it `sending`: after CLAIM_LEASE it is recorded `interrupted`, never resent (SES may have accepted it)."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from revenir.campaigns.audience import marketing_exclusion
from revenir.campaigns.composing import CampaignComposer, message_language, promo_variables
from revenir.campaigns.store import CampaignStore, attribution_key
from revenir.codes.models import PromoCodeInput
from revenir.codes.service import PromoCodeAdmin
from revenir.codes.store import attribution_put
from revenir.core import clock
from revenir.core.errors import Conflict, RevenirError
from revenir.guests.store import GuestRepository, profile_key, suppression_key
from revenir.mail.sender import CAMPAIGN_TAG, PROPERTY_TAG, Mailer, SendError
from revenir.table.dynamodb import Item

CLAIM_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 8
#: How long a sender keeps a campaign's context (campaign, property, promo); a sender serves one batch.
CONTEXT_SECONDS = 30.0
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def recipient_code(model_code: str) -> str:
    """A per-recipient code: the model's letters and 8 random characters (40 bits: unguessable)."""
    prefix = "".join(c for c in model_code.upper() if c.isalnum())[:10] or "CODE"
    return f"{prefix}-{''.join(secrets.choice(_ALPHABET) for _ in range(8))}"


class Retry(Exception):
    """The record goes back to the queue (SQS redelivers it after its visibility timeout)."""


@dataclass
class _Context:
    campaign: Item
    property_item: Item
    promo: Any
    read_at: float


class CampaignSender:
    def __init__(self, store: CampaignStore, guests: GuestRepository, promos: PromoCodeAdmin, mailer: Mailer,
                 composer: CampaignComposer, monotonic: Callable[[], float] = time.monotonic):
        self.store, self.guests, self.promos, self.mailer, self.composer = store, guests, promos, mailer, composer
        self._monotonic = monotonic
        self._contexts: dict[tuple[str, str], _Context] = {}

    def _context(self, property_id: str, campaign_id: str) -> _Context:
        found = self._contexts.get((property_id, campaign_id))
        if found is None or self._monotonic() - found.read_at > CONTEXT_SECONDS:
            campaign = self.store.get(property_id, campaign_id)
            property_item = self.guests.property_context(property_id).property_item or {}
            promo = None
            if campaign.get("promo"):
                try:
                    promo = self.promos.get(property_id, campaign["promo"]["promo_code_id"])
                except RevenirError:  # deleted meanwhile: the e-mail goes without a code
                    promo = None
            found = _Context(campaign, property_item, promo, self._monotonic())
            self._contexts[(property_id, campaign_id)] = found
        return found

    def send(self, property_id: str, campaign_id: str, email: str) -> str:
        """Handle one record; returns what happened (sent, suppressed, cancelled, duplicate, failed, interrupted).
        Raises Retry when the record must come back later."""
        now = clock.now()
        context = self._context(property_id, campaign_id)
        found = self.store.recipient_context(property_id, campaign_id, email, profile_key(property_id, email),
                                             suppression_key(email))
        recipient = found["recipient"]
        if recipient is None:
            return "unknown"
        if recipient["status"] == "sending":
            if recipient.get("claimed_at", "") <= clock.iso(now - CLAIM_LEASE):
                self._finish(property_id, campaign_id, email, "failed", reason="interrupted")
                return "interrupted"
            raise Retry("another consumer holds this recipient")
        if recipient["status"] != "queued":
            return "duplicate"
        claimed = self.store.claim(property_id, campaign_id, email, clock.iso(now))
        if claimed is None:
            return "duplicate"
        if context.campaign["status"] == "cancelled":
            self._finish(property_id, campaign_id, email, "cancelled")
            return "cancelled"
        reason = marketing_exclusion(email, found["profile"], found["suppressed"])
        if reason:  # consent withdrawn, unsubscribed or bounced since the campaign was planned
            self._finish(property_id, campaign_id, email, "suppressed", reason=reason)
            return "suppressed"
        try:
            promo = self._promo(context, claimed, now)
            raw, language, _ = self.composer.compose(context.property_item, context.campaign, claimed, promo)
        except Exception as exc:  # a template failing at send time, a code the engine refused
            code = exc.code if isinstance(exc, RevenirError) else type(exc).__name__
            self._finish(property_id, campaign_id, email, "failed", reason=code, error=str(exc)[:300])
            return "failed"
        try:
            message_id = self.mailer.send(context.property_item["sender_email"], email, raw,
                                          tags={PROPERTY_TAG: property_id, CAMPAIGN_TAG: campaign_id})
        except SendError as exc:
            if exc.transient and int(claimed.get("attempts", 1)) < MAX_ATTEMPTS:
                self.store.unclaim(property_id, campaign_id, email, exc.code)
                raise Retry(exc.code) from exc
            self._finish(property_id, campaign_id, email, "failed", reason=exc.code, error=str(exc)[:300])
            return "failed"
        extra = []
        if promo and context.campaign["promo"]["mode"] == "shared":  # the guest's redemptions count here a while
            until = clock.iso(now + timedelta(days=int(context.campaign.get("attribution_days") or 30)))
            extra.append(attribution_put(self.store.table, property_id, email, promo["code"],
                                         attribution_key(property_id, campaign_id), until))
        self.store.finish(property_id, campaign_id, email, "sent",
                          {"message_id": message_id, "language": language, "sent_at": clock.iso(clock.now()),
                           **({"code": promo["code"]} if promo else {})}, extra=extra)
        return "sent"

    def _promo(self, context: _Context, recipient: Item, now: datetime) -> dict[str, Any] | None:
        choice = context.campaign.get("promo")
        if not choice or context.promo is None:
            return None
        language = message_language(context.campaign["versions"], recipient.get("language"),
                                    context.property_item.get("default_language"))
        if choice["mode"] == "shared":
            return promo_variables(context.promo, None, None, language)
        model = context.promo
        zone = ZoneInfo(str(context.property_item.get("time_zone") or "UTC"))
        today = now.astimezone(zone).date()
        until = today + timedelta(days=int(choice.get("valid_days", 60)))
        code = str(recipient["code"])
        data = PromoCodeInput(
            name=f"{context.campaign['name'][:80]} · {code}", code=code, discount=model.discount,
            valid_from=today, valid_until=until, max_uses=1, public=False,
            description=model.description, stay_from=model.stay_from, stay_until=model.stay_until,
            min_nights=model.min_nights, max_nights=model.max_nights, arrival_weekdays=model.arrival_weekdays,
            min_amount=model.min_amount, offer_ids=model.offer_ids, first_stay_only=model.first_stay_only)
        try:
            self.promos.create(context.campaign["property_id"], data,
                               attribution=attribution_key(context.campaign["property_id"],
                                                           context.campaign["campaign_id"]))
        except Conflict as exc:
            if exc.code not in ("code_in_use", "name_taken"):  # made by an earlier, interrupted attempt
                raise
        return promo_variables(model, code, str(until), language)

    def _finish(self, property_id: str, campaign_id: str, email: str, status: str, **fields: Any) -> None:
        self.store.finish(property_id, campaign_id, email, status,
                          {k: v for k, v in fields.items() if v is not None})


def record_ses_event(store: CampaignStore, detail: dict[str, Any]) -> int:
    """A bounce or a complaint of a campaign's message (SES message tags carry the property and the campaign):
    the recipient flagged and the campaign's counter added to, once each."""
    mail = detail.get("mail", {})
    tags = mail.get("tags") or {}
    properties, campaigns = tags.get(PROPERTY_TAG) or [], tags.get(CAMPAIGN_TAG) or []
    if not properties or not campaigns:
        return 0
    kind = str(detail.get("eventType", "")).lower()
    if kind == "bounce" and detail.get("bounce", {}).get("bounceType") == "Permanent":
        event, addresses = "bounced", [r["emailAddress"] for r in detail["bounce"].get("bouncedRecipients", [])]
    elif kind == "complaint":
        event = "complained"
        addresses = [r["emailAddress"] for r in detail.get("complaint", {}).get("complainedRecipients", [])]
    else:
        return 0
    at = clock.iso(clock.now())
    return sum(store.mark(str(properties[0]), str(campaigns[0]), a.strip().lower(), event, at) for a in addresses)


def record_unsubscribe(store: CampaignStore, property_id: str, campaign_id: str | None, email: str) -> bool:
    """The guest unsubscribed through a campaign's link (`c`): counted once, only for one of its recipients."""
    if not campaign_id or not re.fullmatch(r"cp_[0-9a-z]{26}", campaign_id):
        return False
    return store.mark(property_id, campaign_id, email, "unsubscribed", clock.iso(clock.now()))
