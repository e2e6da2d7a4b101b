"""Keys of the guessing guard's counters (one item per client and per property per window). Private."""

from __future__ import annotations


def client_pk(property_id: str, client: str) -> str:
    return f"GUARD#{property_id}#CLIENT#{client}"


def property_counter_pk(property_id: str) -> str:
    return f"GUARD#{property_id}"
