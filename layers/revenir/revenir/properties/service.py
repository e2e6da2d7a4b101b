"""Properties and their offers catalog (the host's admin API): the handler parses, calls one method, shapes."""

from __future__ import annotations

from dataclasses import dataclass

from revenir.core import clock
from revenir.properties.models import Property, PropertyInput
from revenir.properties.offers import Offer, OfferInput
from revenir.properties.store import PropertyRepository


@dataclass(frozen=True)
class PropertyService:
    repository: PropertyRepository

    def put(self, property_id: str, body: PropertyInput) -> tuple[Property, bool]:
        """(property, created): create or replace."""
        return self.repository.put(property_id, body, clock.iso(clock.now()))

    def get(self, property_id: str) -> Property:
        return self.repository.get(property_id)

    def put_offer(self, property_id: str, offer_id: str, body: OfferInput) -> Offer:
        return self.repository.put_offer(property_id, offer_id, body, clock.iso(clock.now()))

    def list_offers(self, property_id: str) -> list[Offer]:
        return self.repository.list_offers(property_id)


__all__ = ["PropertyService"]
