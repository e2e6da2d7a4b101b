"""Keys of the properties capability (docs/data-model.md, "Properties"). Private to revenir.properties."""

from __future__ import annotations

from revenir.table.partitions import property_pk

__all__ = ["OFFER_PREFIX", "PROPERTY_SK", "offer_sk", "property_pk"]

PROPERTY_SK = "PROPERTY"
OFFER_PREFIX = "OFFER#"


def offer_sk(offer_id: str) -> str:
    return f"OFFER#{offer_id}"
