"""Private sales and partner programs' use cases for the API (the host's admin and a sale opened by its link).
The handler parses, calls one method and shapes the response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from revenir.codes.models import Evaluation, ValidateResponse
from revenir.core import clock, ids
from revenir.core.errors import InvalidInput, NotFound
from revenir.core.pricing import Line
from revenir.properties.store import PropertyRepository
from revenir.sales.partner_card_store import PartnerCardRepository
from revenir.sales.partner_cards import PartnerProgram, PartnerProgramInput, parse_cards
from revenir.sales.private_sale_store import PrivateSaleRepository
from revenir.sales.private_sales import (
    PriceRequest,
    PrivateSale,
    PrivateSaleInput,
    PrivateSaleOut,
    PublicSale,
    evaluate_sale,
    new_link_token,
    public_view,
)


class CardReport(BaseModel):
    added: int
    already_loaded: int
    rejected: list[dict[str, Any]]


@dataclass(frozen=True)
class SalesService:
    properties: PropertyRepository
    sales: PrivateSaleRepository
    cards: PartnerCardRepository

    def _today(self, property_id: str) -> date:
        return clock.local_today(self.properties.get(property_id).time_zone)

    def _out(self, sale: PrivateSale, property_id: str) -> PrivateSaleOut:
        return PrivateSaleOut(**sale.model_dump(), status=sale.status_on(self._today(property_id)))

    # ------------------------------------------------------------------ private sales (admin)
    def create_sale(self, property_id: str, body: PrivateSaleInput) -> PrivateSaleOut:
        now = clock.iso(clock.now())
        sale = PrivateSale(id=ids.new_id("ps"), property_id=property_id, link_token=new_link_token(),
                           created_at=now, updated_at=now, **body.model_dump())
        self.sales.save(sale)
        return self._out(sale, property_id)

    def list_sales(self, property_id: str) -> list[PrivateSaleOut]:
        today = self._today(property_id)
        return [PrivateSaleOut(**s.model_dump(), status=s.status_on(today)) for s in self.sales.list_sales(property_id)]

    def get_sale(self, property_id: str, sale_id: str) -> PrivateSaleOut:
        return self._out(self.sales.get(property_id, sale_id), property_id)

    def replace_sale(self, property_id: str, sale_id: str, body: PrivateSaleInput) -> PrivateSaleOut:
        """Its link (and archived state) stay the same."""
        previous = self.sales.find(property_id, sale_id)
        sale = PrivateSale(id=sale_id, property_id=property_id, link_token=previous["link_token"],
                           archived=previous.get("archived", False), created_at=previous["created_at"],
                           updated_at=clock.iso(clock.now()), **body.model_dump())
        return self._out(self.sales.save(sale, previous), property_id)

    def archive_sale(self, property_id: str, sale_id: str) -> None:
        previous = self.sales.find(property_id, sale_id)
        sale = PrivateSale.model_validate({**previous, "archived": True, "updated_at": clock.iso(clock.now())})
        self.sales.save(sale, previous)

    # ------------------------------------------------------------------ private sales (guests, by link)
    def _by_link(self, property_id: str, token: str) -> PrivateSale:
        sale = self.sales.by_token(property_id, token)
        if sale is None or sale.archived:
            raise NotFound("no such private sale", code="private_sale_not_found")
        return sale

    def open_sale(self, property_id: str, token: str, language: str | None) -> PublicSale:
        return public_view(self._by_link(property_id, token), self._today(property_id), language)

    def price(self, property_id: str, token: str, body: PriceRequest) -> ValidateResponse:
        sale = self._by_link(property_id, token)
        lines = [Line(li.offer_id, li.amount, li.currency) for li in body.lines]
        reason, priced = evaluate_sale(sale, body.arrival, body.departure, lines, self._today(property_id))
        return Evaluation(reason, None, priced, kind="private_sale", name=sale.name, code=sale.access_code,
                          advantage=sale.advantage, ref=sale.id).response()

    # ------------------------------------------------------------------ partner programs and cards (admin)
    def create_program(self, property_id: str, body: PartnerProgramInput) -> PartnerProgram:
        now = clock.iso(clock.now())
        program = PartnerProgram(id=ids.new_id("pp"), property_id=property_id, created_at=now, updated_at=now,
                                 **body.model_dump())
        return self.cards.save_program(program)

    def list_programs(self, property_id: str) -> list[PartnerProgram]:
        return self.cards.list_programs(property_id)

    def replace_program(self, property_id: str, program_id: str, body: PartnerProgramInput) -> PartnerProgram:
        previous = self.cards.get_program(property_id, program_id)
        program = PartnerProgram(id=program_id, property_id=property_id, created_at=previous.created_at,
                                 updated_at=clock.iso(clock.now()), **body.model_dump())
        return self.cards.save_program(program)

    def load_cards(self, property_id: str, program_id: str, text: str) -> CardReport:
        """Card numbers from a CSV file (one per row); a per-row report."""
        self.cards.get_program(property_id, program_id)
        if not text.strip():
            raise InvalidInput("send the card numbers as a CSV body", code="empty_file")
        rows = parse_cards(text)
        outcomes = self.cards.add_cards(property_id, program_id, rows.numbers, clock.iso(clock.now()))
        rejected = rows.errors + [{"value": o["number"], "error": o["error"]} for o in outcomes
                                  if o["status"] == "error"]
        return CardReport(added=sum(o["status"] == "added" for o in outcomes),
                          already_loaded=sum(o["status"] == "already_loaded" for o in outcomes), rejected=rejected)


__all__ = ["CardReport", "SalesService"]
