"""Campaigns' use cases for the API: write (checked by rendering every language), list, read, count the
audience, preview, test-send to the host's own addresses, schedule or send now, cancel, read the figures.
The handler parses, calls one method and shapes the response."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from revenir.campaigns.audience import select
from revenir.campaigns.composing import VARIABLES, CampaignComposer, message_language, promo_variables
from revenir.campaigns.models import (
    Audience,
    AudienceCount,
    Campaign,
    CampaignInput,
    CampaignPatch,
    CampaignTestSend,
    Figures,
    Revenue,
    ScheduleRequest,
)
from revenir.campaigns.sending import recipient_code
from revenir.campaigns.store import CampaignStore
from revenir.codes.service import PromoCodeAdmin
from revenir.core import clock, ids
from revenir.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from revenir.guests.store import GuestRepository
from revenir.mail import rendering
from revenir.mail.sender import Mailer
from revenir.table.dynamodb import Item

EDITABLE = ("draft", "scheduled")
CANCELLABLE = ("draft", "scheduled", "planning", "sending")
MAX_AHEAD = timedelta(days=365)




@dataclass(frozen=True)
class CampaignService:
    store: CampaignStore
    guests: GuestRepository
    promos: PromoCodeAdmin

    # ------------------------------------------------------------------ writing
    def _check(self, property_id: str, body: CampaignInput) -> None:
        for content in body.versions.values():
            rendering.check(content.mail())  # a syntax error is the host's: 400 template_error
        if body.promo:
            try:
                self.promos.get(property_id, body.promo.promo_code_id)
            except NotFound as exc:
                raise InvalidInput("no such promo code", code="promo_code_not_found", details=[
                    {"field": "body.promo.promo_code_id", "message": "no such promo code"}]) from exc

    def create(self, property_id: str, body: CampaignInput) -> Campaign:
        self.guests.property_context(property_id)  # 404 for a property that does not exist
        self._check(property_id, body)
        now = clock.iso(clock.now())
        campaign = Campaign(campaign_id=ids.new_id("cp"), property_id=property_id, status="draft",
                            revision=secrets.token_hex(8), created_at=now, updated_at=now, **body.model_dump())
        self.store.put_new(campaign.model_dump(mode="json", exclude_none=True))
        return campaign

    def list(self, property_id: str) -> list[Campaign]:
        return [Campaign.model_validate(i) for i in self.store.all(property_id)]

    def get(self, property_id: str, campaign_id: str) -> Campaign:
        return Campaign.model_validate(self.store.get(property_id, campaign_id))

    def patch(self, property_id: str, campaign_id: str, body: CampaignPatch) -> Campaign:
        current = self.store.get(property_id, campaign_id)
        if body.revision is not None and body.revision != current["revision"]:
            raise Conflict("the campaign changed since it was read; reload it", code="concurrent_change")
        if current["status"] not in EDITABLE:
            raise Conflict(f"a {current['status']} campaign cannot change", code="campaign_not_editable")
        changes = body.model_dump(mode="json", exclude_unset=True, exclude={"revision"})
        merged = CampaignInput.model_validate({**{k: current.get(k) for k in CampaignInput.model_fields
                                                  if current.get(k) is not None}, **changes})
        self._check(property_id, merged)
        updated = {**current, **merged.model_dump(mode="json", exclude_none=True),
                   "revision": secrets.token_hex(8), "updated_at": clock.iso(clock.now())}
        if "promo" in changes and changes["promo"] is None:
            updated.pop("promo", None)
        queue_at = current.get("send_at") if current["status"] == "scheduled" else None
        self.store.replace(updated, current["revision"], EDITABLE, queue_at=queue_at)
        return Campaign.model_validate(updated)

    # ------------------------------------------------------------------ before sending
    def count(self, property_id: str, audience: Audience) -> AudienceCount:
        self.guests.property_context(property_id)
        selection = select(self.guests, property_id, audience)
        return AudienceCount(recipients=len(selection.recipients), guests=selection.guests,
                             excluded=dict(selection.excluded))

    @staticmethod
    def variables() -> dict[str, str]:
        return dict(VARIABLES)

    def _render(self, composer: CampaignComposer, property_id: str, campaign_id: str, language: str | None,
                to: str | None) -> tuple[bytes, str, Any, Item]:
        campaign = self.store.get(property_id, campaign_id)
        prop = self.guests.property_context(property_id).property_item or {}
        promo = None
        if campaign.get("promo"):
            try:
                model = self.promos.get(property_id, campaign["promo"]["promo_code_id"])
                sample = recipient_code(model.code) if campaign["promo"]["mode"] == "per_recipient" else None
                promo = promo_variables(model, sample, None, message_language(
                    campaign["versions"], language, prop.get("default_language")))
            except NotFound:
                promo = None
        recipient = {"email": to or "martin.dupont@example.com", "first_name": "Martin", "last_name": "Dupont",
                     "language": language}
        raw, lang, rendered = composer.compose(prop, campaign, recipient, promo, to=to, language=language)
        return raw, lang, rendered, prop

    def preview(self, composer: CampaignComposer, property_id: str, campaign_id: str,
                language: str | None) -> dict[str, str]:
        _, lang, rendered, _ = self._render(composer, property_id, campaign_id, language, None)
        return {"language": lang, "subject": rendered.subject, "html": rendered.html, "text": rendered.text}

    def test_send(self, composer: CampaignComposer, mailer: Mailer, property_id: str, campaign_id: str,
                  body: CampaignTestSend, caller_email: str | None) -> dict[str, str]:
        """To the property's contact address or the caller's verified sign-in address only (a test is not a
        relay), subject prefixed [TEST]; a per-recipient code is a sample, never created."""
        prop = self.guests.property_context(property_id).property_item or {}
        allowed = tuple(dict.fromkeys(a.strip().lower() for a in (str(prop.get("contact_email") or ""),
                                                                   caller_email or "") if a.strip()))
        to = body.email.strip().lower()
        if to not in allowed:
            raise Forbidden("a test goes only to the property's contact address or to your own sign-in address",
                            code="test_recipient_not_allowed",
                            details=[{"field": "body.email", "message": "use one of the allowed addresses",
                                      "allowed": [*allowed]}])
        raw, lang, rendered, prop = self._render(composer, property_id, campaign_id, body.language, to)
        raw = raw.replace(b"Subject: ", b"Subject: [TEST] ", 1)
        message_id = mailer.send(prop["sender_email"], to, raw)
        return {"message_id": message_id, "language": lang, "subject": "[TEST] " + rendered.subject}

    # ------------------------------------------------------------------ sending
    def schedule(self, property_id: str, campaign_id: str, body: ScheduleRequest) -> Campaign:
        """Send at `send_at`, or now (the dispatcher's next tick, within a minute)."""
        current = self.store.get(property_id, campaign_id)
        now = clock.now()
        when = body.send_at or now
        if when < now - timedelta(minutes=5) or when > now + MAX_AHEAD:
            raise InvalidInput("send_at must be between now and a year from now", details=[
                {"field": "body.send_at", "message": "between now and a year from now"}])
        if current["status"] not in EDITABLE:
            raise Conflict(f"a {current['status']} campaign cannot be scheduled", code="campaign_not_editable")
        send_at = clock.iso(max(when, now))
        updated = {**current, "status": "scheduled", "send_at": send_at, "revision": secrets.token_hex(8),
                   "updated_at": clock.iso(now)}
        self.store.replace(updated, current["revision"], EDITABLE, queue_at=send_at)
        return Campaign.model_validate(updated)

    def cancel(self, property_id: str, campaign_id: str) -> Campaign:
        """Nothing more goes: recipients not sent yet are recorded `cancelled` by the consumers."""
        current = self.store.get(property_id, campaign_id)
        if current["status"] == "cancelled":
            return Campaign.model_validate(current)
        if not self.store.transition(property_id, campaign_id, CANCELLABLE,
                                     {"status": "cancelled", "updated_at": clock.iso(clock.now()),
                                      "revision": secrets.token_hex(8)}, off_queue=True):
            raise Conflict("this campaign was already sent", code="campaign_not_editable")
        return self.get(property_id, campaign_id)

    def figures(self, property_id: str, campaign_id: str) -> Figures:
        campaign = self.store.get(property_id, campaign_id)
        counts = self.store.counters(property_id, campaign_id)
        done = sum(counts.get(k, 0) for k in ("sent", "suppressed", "failed", "cancelled"))
        status = campaign["status"]
        if status == "sending" and done >= counts.get("recipients", 0) and self.store.transition(
                property_id, campaign_id, ("sending",), {"status": "sent"}):
            status = "sent"
        revenue = [Revenue(amount=v, currency=k.removeprefix("revenue_")) for k, v in sorted(counts.items())
                   if k.startswith("revenue_") and v]
        return Figures(campaign_id=campaign_id, status=status, recipients=counts.get("recipients", 0),
                       sent=counts.get("sent", 0), suppressed=counts.get("suppressed", 0),
                       failed=counts.get("failed", 0), bounced=counts.get("bounced", 0),
                       complained=counts.get("complained", 0), unsubscribed=counts.get("unsubscribed", 0),
                       codes_redeemed=counts.get("codes_redeemed", 0), revenue=revenue)

    def record_unsubscribe(self, property_id: str, campaign_id: str, email: str) -> bool:
        """The guest unsubscribed through this campaign's link: counted once, only for a real recipient."""
        return self.store.mark(property_id, campaign_id, email, "unsubscribed", clock.iso(clock.now()))
