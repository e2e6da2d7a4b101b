"""Keys of promo codes (docs/data-model.md, "Promo codes"). Private to revenir.codes."""

from __future__ import annotations

from revenir.table.partitions import booking_pk, guest_link_sk, guest_pk, property_pk

__all__ = ["CODE_SLOTS", "HOLDS_QUEUE", "REDEMPTION_SK", "attribution_sk", "booking_pk", "code_pk",
           "guest_link_sk", "guest_pk", "promo_archive_pk", "promo_list_pk", "promo_name_pk", "promo_sent_pk",
           "property_pk", "slot_sk", "usage_pk", "usage_sk"]

def attribution_sk(code: str) -> str:
    """In the guest's partition: this guest's redemptions of this (shared) code count for someone until a date
    (the last campaign that sent it to them: revenir.campaigns)."""
    return f"ATTRIBUTION#{code}"


#: A code string may be scheduled for this many periods at once (non-overlapping windows).
CODE_SLOTS = 4


def code_pk(property_id: str, code: str) -> str:
    return f"PROPERTY#{property_id}#CODE#{code}"


def slot_sk(slot: int) -> str:
    return f"SLOT#{slot}"


def promo_archive_pk(property_id: str) -> str:
    return f"PROPERTY#{property_id}#PROMOARCHIVE"


def promo_list_pk(property_id: str) -> str:
    """GSI1 partition listing a property's promo codes (gsi1sk = promo id, time-ordered)."""
    return f"PROPERTY#{property_id}#PROMOS"


def promo_name_pk(property_id: str) -> str:
    return f"PROPERTY#{property_id}#PROMONAME"


def promo_sent_pk(property_id: str, promo_id: str) -> str:
    return f"PROPERTY#{property_id}#PROMOSENT#{promo_id}"


#: The promo redemption of a booking, in the booking's partition (revenir.table.partitions.booking_pk).
REDEMPTION_SK = "PROMO_REDEMPTION"
#: The queue of promo-code holds (gsi1, sharded by property: revenir.table.queues), sorted by expiry: the
#: sweeper reads only expired ones.
HOLDS_QUEUE = "PROMO_HOLDS"


def usage_pk(property_id: str, promo_id: str) -> str:
    """A code's usage report: one item per redemption (a private sale's or a partner program's id for those)."""
    return f"PROPERTY#{property_id}#CODEUSE#{promo_id}"


def usage_sk(local_date: str, created_at: str, booking_id: str) -> str:
    """Sorted by the property's local date first: a period filter is one key range."""
    return f"{local_date}#{created_at}#{booking_id}"
