"""The promo-code use cases: the host's codes (create, change, archive, who got them, the public list), and
validate, redeem (with holds), confirm, release, sweep expired holds.

Orchestrates the repository (one read round trip, one write transaction) and the pure rules.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from revenir.codes.models import (
    Evaluation,
    PromoCode,
    PromoCodeInput,
    PromoCodeUpdate,
    RedeemRequest,
    ValidateRequest,
    evaluate,
    normalize_code,
)
from revenir.codes.store import Lookup, PromoCodeRepository, Redemption
from revenir.codes.usage import UsageReport, UsageRow, usage_csv
from revenir.codes.usage import totals as usage_totals
from revenir.core import clock, ids
from revenir.core.errors import Conflict, InvalidInput, TooManyRequests
from revenir.core.pricing import Line
from revenir.guard.policy import GuardPolicy
from revenir.sales.partner_card_store import PartnerCardRepository
from revenir.sales.partner_cards import evaluate_card
from revenir.sales.private_sale_store import sale_from_item
from revenir.sales.private_sales import evaluate_sale

#: The promo-code export's columns (headers: the `csv` catalog, `csv.codes.<column>`).
CODE_CSV_COLUMNS = ("code", "name", "kind", "discount", "currency", "valid_from", "valid_until", "archived", "uses",
                    "max_uses")


def _encode(sk: str) -> str:
    return base64.urlsafe_b64encode(sk.encode()).decode()


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("invalid cursor", code="invalid_cursor", details=[{"field": "query.cursor"}]) from exc


class PromoCodeAdmin:
    """The host's promo codes (the table only: no guard settings)."""

    def __init__(self, repository: PromoCodeRepository):
        self.repository = repository

    def create(self, property_id: str, body: PromoCodeInput, attribution: tuple[str, str] | None = None
               ) -> PromoCode:
        """`attribution`: where this code's redemptions are also counted (a campaign's per-recipient code)."""
        now = clock.now()
        return self.repository.create(property_id, body, ids.new_id("pc"), now.date(), clock.iso(now),
                                      attribution=attribution)

    def page(self, property_id: str, limit: int, cursor: str | None) -> tuple[list[PromoCode], str | None]:
        return self.repository.page(property_id, limit=limit, cursor=cursor)

    def get(self, property_id: str, promo_id: str) -> PromoCode:
        return self.repository.get(property_id, promo_id)

    def export_csv(self, property_id: str, locale: str | None = None) -> str:
        """Every code of the property (archived ones too) as CSV, in the property's language or `locale`."""
        from revenir.i18n import csv_export, t
        from revenir.i18n.formats import format_number

        lang = csv_export.language(locale, self.repository.language(property_id))
        promos: list[PromoCode] = []
        cursor: str | None = None
        while True:
            page, cursor = self.repository.page(property_id, limit=100, cursor=cursor)
            promos += page
            if cursor is None:
                break

        def row(p: PromoCode) -> list[Any]:
            d = p.discount
            amount = (csv_export.Amount(d.amount, d.currency) if d.type == "amount"
                      else format_number(d.percent, lang))
            return [p.code, p.name, t(lang, f"csv.codes.kind.{d.type}"), amount,
                    d.currency if d.type == "amount" else None, p.valid_from, p.valid_until, p.archived, p.uses,
                    p.max_uses]

        return csv_export.write("codes", CODE_CSV_COLUMNS, (row(p) for p in promos), lang)

    def update(self, property_id: str, promo_id: str, patch: PromoCodeUpdate) -> PromoCode:
        return self.repository.update(property_id, promo_id, patch, clock.iso(clock.now()))

    def archive(self, property_id: str, promo_id: str) -> None:
        self.repository.archive(property_id, promo_id, clock.iso(clock.now()))

    def sent_to(self, property_id: str, promo_id: str) -> list[dict[str, Any]]:
        return self.repository.sent_to(property_id, promo_id)

    def usage(self, property_id: str, promo_id: str, date_from: date | None, date_to: date | None,
              limit: int = 50, cursor: str | None = None) -> tuple[UsageReport, list[UsageRow]]:
        """The bookings that used the code in the period (the property's local days), newest first: one page,
        the totals over the whole period, and every row (for the CSV export)."""
        if date_from and date_to and date_from > date_to:
            raise InvalidInput("date_from is after date_to", code="invalid_period",
                               details=[{"field": "query.date_from"}])
        promo = self.repository.get(property_id, promo_id)
        items = self.repository.usage(property_id, promo_id, date_from.isoformat() if date_from else None,
                                      date_to.isoformat() if date_to else None)
        rows = [(item["sk"], UsageRow.model_validate(item)) for item in reversed(items)]
        start = 0
        if cursor:
            after = _decode(cursor)
            start = next((n for n, (sk, _) in enumerate(rows) if sk < after), len(rows))
        page = rows[start:start + limit]
        next_cursor = _encode(page[-1][0]) if start + limit < len(rows) and page else None
        every = [row for _, row in rows]
        report = UsageReport(code=promo.code, promo_id=promo.id, date_from=date_from, date_to=date_to,
                             totals=usage_totals(every), usages=[row for _, row in page], next_cursor=next_cursor)
        return report, every

    def usage_csv(self, property_id: str, promo_id: str, date_from: date | None, date_to: date | None,
                  locale: str | None = None) -> str:
        """The usage as CSV in the property's language or `locale` (revenir.i18n.csv_export)."""
        from revenir.i18n import csv_export

        _, rows = self.usage(property_id, promo_id, date_from, date_to, limit=1)
        return usage_csv(rows, csv_export.language(locale, self.repository.language(property_id)))

    def language(self, property_id: str) -> str:
        """The property's language: the booking widget's texts when the host's page sets none it speaks."""
        return self.repository.language(property_id) or "en"

    def public(self, property_id: str) -> list[dict[str, Any]]:
        """The codes the host made public and publishes today (the property's day), as the widget shows them."""
        today = clock.local_today(self.repository.time_zone(property_id))
        promos, _ = self.repository.page(property_id, limit=100, public_only=True)
        return [{"code": p.code, "name": p.name, "name_translations": p.name_translations,
                 "description": p.description, "discount": p.discount.model_dump(),
                 "valid_from": str(p.valid_from), "valid_until": str(p.valid_until)}
                for p in promos if p.is_published(today)]


class PromoCodeService:
    """What a typed code is — a promo code, a private sale's access code or a partner card — and its price."""

    def __init__(self, repository: PromoCodeRepository, policy: GuardPolicy, cards: PartnerCardRepository):
        self.repository = repository
        self.policy = policy
        self.cards = cards

    def _evaluate(self, lookup: Lookup, request: ValidateRequest, now: datetime) -> Evaluation:
        if lookup.property_item is None:  # an unknown property answers exactly like an unknown code
            return Evaluation("unknown")
        today = clock.local_today(lookup.property_item["time_zone"], now)
        candidates = [c for c in lookup.candidates if not c.archived]
        if candidates:
            live = next((c for c in candidates if c.valid_from <= today <= c.valid_until), None)
            uses = lookup.guest_uses.get(live.id, 0) if live else 0
            return evaluate(candidates, request, today, guest_uses=uses, guest_has_stayed=lookup.guest_has_stayed)
        if lookup.sale_item is not None:
            sale = sale_from_item(lookup.sale_item)
            lines = [Line(li.offer_id, li.amount, li.currency) for li in request.lines]
            reason, priced = evaluate_sale(sale, request.arrival, request.departure, lines, today)
            return Evaluation(reason, None, priced, kind="private_sale", name=sale.name, code=sale.access_code,
                              advantage=sale.advantage, ref=sale.id)
        if lookup.card_item is not None:  # a second read, for partner cards only: the program's rules
            program = self.cards.get_program(lookup.property_item["property_id"], lookup.card_item["program_id"])
            return evaluate_card(program, lookup.card_item["number"], request, today)
        return Evaluation("unknown")

    def _guard(self, lookup: Lookup, now: datetime) -> None:
        if self.policy.is_blocked(lookup.client_failures, lookup.property_failures):
            raise TooManyRequests("too many attempts with unknown codes: try again later",
                                  retry_after=self.policy.retry_after(now))

    def validate(self, property_id: str, request: ValidateRequest, client: str) -> Evaluation:
        """The widget's check (anonymous): never reads the guest's history, so it cannot tell who stayed.

        Guest-specific rules (first stay only, uses per guest) are evaluated at redemption, with the booking
        engine's token; here a code they would refuse answers valid, with those rules listed in `conditions`
        (issue 12, item 4: 40 probes told a stranger from a past guest).
        """
        now = clock.now()
        code = normalize_code(request.code)
        lookup = self.repository.lookup(property_id, code, client=client, policy=self.policy, now=now)
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
        if not evaluation.valid:
            raise Conflict(f"this code cannot be used: {evaluation.reason}", code=str(evaluation.reason))
        response = evaluation.response()
        time_zone = (lookup.property_item or {}).get("time_zone")
        discount: dict[str, Any] = response.discount.model_dump() if response.discount else {}
        lines = [line.model_dump() for line in response.lines or []]
        if evaluation.promo is None:  # a private sale or a partner card
            return self.repository.redeem_plain(property_id, request, evaluation.kind, evaluation.code or code,
                                                evaluation.ref or "", discount, lines, now, time_zone)
        promo = evaluation.promo
        if (promo.max_uses_per_guest is not None or promo.first_stay_only) and not request.guest_email:
            raise InvalidInput("this code is limited per guest: guest_email is required", code="guest_email_required",
                               details=[{"field": "body.guest_email"}])
        return self.repository.redeem(property_id, lookup.slot_of(promo.id), request, discount, lines, now,
                                      previous, time_zone, attribution=lookup.attribution)


class PromoCodeHolds:
    """After a redemption: confirm it, give it back, release the expired holds (the table only: no guard settings)."""

    def __init__(self, repository: PromoCodeRepository):
        self.repository = repository

    def confirm(self, property_id: str, booking_id: str) -> Redemption:
        return self.repository.confirm(property_id, booking_id, clock.now())

    def release(self, property_id: str, booking_id: str) -> bool:
        return self.repository.release(property_id, booking_id, clock.now())

    def sweep_expired_holds(self, limit: int = 100) -> int:
        """Give back the uses of holds whose payment never came. Reads only expired holds (index, no scan)."""
        now = clock.now()
        released = 0
        for property_id, booking_id in self.repository.expired_holds(now, limit):
            try:
                if self.repository.release(property_id, booking_id, now, only_expired_hold=True):
                    released += 1
            except Exception as exc:  # one bad hold must not block the others: logged, retried next minute
                import logging

                logging.getLogger(__name__).exception("could not release hold %s/%s: %s", property_id, booking_id,
                                                      exc)
        return released


__all__ = ["PromoCodeAdmin", "PromoCodeHolds", "PromoCodeInput", "PromoCodeService"]
