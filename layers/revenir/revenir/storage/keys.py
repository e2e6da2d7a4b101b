"""Every partition and sort key of the single table, in one place (see docs/data-model.md)."""

from __future__ import annotations


def property_pk(property_id: str) -> str:
    return f"PROPERTY#{property_id}"


PROPERTY_SK = "PROPERTY"


def offer_sk(offer_id: str) -> str:
    return f"OFFER#{offer_id}"


OFFER_PREFIX = "OFFER#"
