"""From a due campaign to messages on the send queue. The dispatcher's tick finds due campaigns on the campaign
queue (gsi1, never a scan) and hands each to the planning queue with a lease; the planner selects the
recipients (revenir.campaigns.audience, sorted by e-mail), and chunk by chunk writes their recipient items
(conditional: never twice) and enqueues one message each (SendMessageBatch of 10), then records the last
e-mail planned. Resumable: a planner that dies mid-way is redelivered by SQS (or re-leased by the tick) and
starts after the last chunk recorded; a chunk planned twice sends nothing twice (the consumers' claims)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from revenir.campaigns.audience import select
from revenir.campaigns.models import Audience
from revenir.campaigns.sending import recipient_code
from revenir.campaigns.store import CampaignStore
from revenir.codes.service import PromoCodeAdmin
from revenir.core import clock
from revenir.guests.store import GuestRepository
from revenir.mail.queue import SendQueue
from revenir.table import queues

CHUNK = 500
#: A campaign handed to the planner comes back on the campaign queue after this long (a planner that died).
PLAN_LEASE = timedelta(minutes=15)


def campaign_message(property_id: str, campaign_id: str, email: str) -> dict[str, str]:
    """The send queue's body for one recipient (the consumer reads the rest from the table)."""
    return {"kind": "campaign", "p": property_id, "c": campaign_id, "e": email}


class Planner:
    def __init__(self, store: CampaignStore, guests: GuestRepository, promos: PromoCodeAdmin,
                 send_queue: SendQueue | None = None, chunk: int | None = None):
        self.store, self.guests, self.promos, self.send_queue = store, guests, promos, send_queue
        self.chunk = chunk or CHUNK

    def start_due(self, plan_queue: SendQueue, limit: int = 50) -> int:
        """The tick's part: hand every due campaign to the planning queue, leased (the lease's end is its new
        place on the campaign queue, so a lost planning message is handed over again)."""
        now = clock.now()
        started = 0
        for item in list(self.store.due(clock.iso(now), limit, queues.rotation_of(now))):
            pid, cid = item["property_id"], item["campaign_id"]
            lease = clock.iso(now + PLAN_LEASE)
            if self.store.transition(pid, cid, ("scheduled", "planning"),
                                     {"status": "planning", "gsi1sk": f"{lease}#{pid}#{cid}"}):
                plan_queue.enqueue([{"kind": "plan", "p": pid, "c": cid}])
                started += 1
        return started

    def plan(self, property_id: str, campaign_id: str) -> dict[str, Any]:
        assert self.send_queue is not None
        campaign = self.store.get(property_id, campaign_id)
        if campaign["status"] != "planning":
            return {"planned": 0, "status": campaign["status"]}
        selection = select(self.guests, property_id, Audience.model_validate(campaign.get("audience") or {}))
        cursor = str(campaign.get("plan_cursor") or "")
        todo = [r for r in selection.recipients if r["email"] > cursor]
        model_code = None
        promo = campaign.get("promo")
        if promo and promo["mode"] == "per_recipient":
            model_code = self.promos.get(property_id, promo["promo_code_id"]).code
        planned = 0
        for start in range(0, len(todo), self.chunk):
            chunk = [{k: v for k, v in r.items() if v is not None} for r in todo[start:start + self.chunk]]
            if model_code:
                for recipient in chunk:
                    recipient["code"] = recipient_code(model_code)
            planned += self.store.add_recipients(property_id, campaign_id, chunk)
            self.send_queue.enqueue(campaign_message(property_id, campaign_id, r["email"]) for r in chunk)
            if not self.store.transition(property_id, campaign_id, ("planning",),
                                         {"plan_cursor": chunk[-1]["email"]}):
                return {"planned": planned, "status": "cancelled"}  # cancelled meanwhile: the rest is not planned
        self.store.transition(property_id, campaign_id, ("planning",),
                              {"status": "sending", "planned_at": clock.iso(clock.now()),
                               "excluded": dict(selection.excluded)}, off_queue=True)
        return {"planned": planned, "status": "sending"}
