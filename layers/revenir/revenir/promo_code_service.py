"""The promo-code use cases: validate, redeem (with holds), confirm, release, sweep expired holds.

Orchestrates the repository (one read round trip, one write transaction) and the pure rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from revenir import clock
from revenir.errors import Conflict, InvalidInput, TooManyRequests
from revenir.guessing_guard import GuardPolicy
from revenir.promo_codes import Evaluation, PromoCodeInput, RedeemRequest, ValidateRequest, evaluate, normalize_code
from revenir.storage.promo_codes import Lookup, PromoCodeRepository, Redemption


class PromoCodeService:
    def __init__(self, repository: PromoCodeRepository, policy: GuardPolicy):
        self.repository = repository
        self.policy = policy

    def _evaluate(self, lookup: Lookup, request: ValidateRequest, now: datetime) -> Evaluation:
        if lookup.property_item is None:  # an unknown property answers exactly like an unknown code
            return Evaluation("unknown")
        today = clock.local_today(lookup.property_item["time_zone"], now)
        candidates = lookup.candidates
        live = next((c for c in candidates if not c.archived and c.valid_from <= today <= c.valid_until), None)
        uses = lookup.guest_uses.get(live.id, 0) if live else 0
        return evaluate(candidates, request, today, guest_uses=uses, guest_has_stayed=lookup.guest_has_stayed)

    def _guard(self, lookup: Lookup, now: datetime) -> None:
        if self.policy.is_blocked(lookup.client_failures, lookup.property_failures):
            raise TooManyRequests("too many attempts with unknown codes: try again later",
                                  retry_after=self.policy.retry_after(now))

    def validate(self, property_id: str, request: ValidateRequest, client: str) -> Evaluation:
        now = clock.now()
        code = normalize_code(request.code)
        lookup = self.repository.lookup(property_id, code, client=client, policy=self.policy, now=now,
                                        guest_email=request.guest_email)
        self._guard(lookup, now)
        evaluation = self._evaluate(lookup, request, now)
        if evaluation.reason == "unknown":
            self.repository.record_miss(property_id, client, self.policy, now)
        return evaluation

    def redeem(self, property_id: str, request: RedeemRequest, client: str) -> Redemption:
        """Use a code for a booking. Idempotent per booking_id: a repeat returns the first result."""
        now = clock.now()
        code = normalize_code(request.code)
        lookup = self.repository.lookup(property_id, code, client=client, policy=self.policy, now=now,
                                        guest_email=request.guest_email, booking_id=request.booking_id,
                                        consistent=True)
        previous = lookup.redemption
        if previous is not None and previous["status"] != "released":
            if previous["code"] != code:
                raise Conflict("this booking already used another code", code="booking_already_redeemed")
            return Redemption.from_item(previous, replayed=True)
        self._guard(lookup, now)
        evaluation = self._evaluate(lookup, request, now)
        if evaluation.reason == "unknown":
            self.repository.record_miss(property_id, client, self.policy, now)
        if not evaluation.valid or evaluation.promo is None:
            raise Conflict(f"this code cannot be used: {evaluation.reason}", code=str(evaluation.reason))
        promo = evaluation.promo
        if (promo.max_uses_per_guest is not None or promo.first_stay_only) and not request.guest_email:
            raise InvalidInput("this code is limited per guest: guest_email is required", code="guest_email_required",
                               details=[{"field": "body.guest_email"}])
        response = evaluation.response()
        discount: dict[str, Any] = response.discount.model_dump() if response.discount else {}
        lines = [line.model_dump() for line in response.lines or []]
        return self.repository.redeem(property_id, lookup.slot_of(promo.id), request, discount, lines, now,
                                      previous)

    def confirm(self, property_id: str, booking_id: str) -> Redemption:
        return self.repository.confirm(property_id, booking_id, clock.now())

    def release(self, property_id: str, booking_id: str) -> bool:
        return self.repository.release(property_id, booking_id, clock.now())

    def sweep_expired_holds(self, limit: int = 100) -> int:
        """Give back the uses of holds whose payment never came. Reads only expired holds (index, no scan)."""
        now = clock.now()
        released = 0
        for property_id, booking_id in self.repository.expired_holds(now, limit):
            if self.repository.release(property_id, booking_id, now, only_expired_hold=True):
                released += 1
        return released


__all__ = ["PromoCodeInput", "PromoCodeService"]
