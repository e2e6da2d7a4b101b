"""Keys of pending payments (docs/data-model.md, "Pending payments"). Private to revenir.pending.

One item per booking, in the booking's shared partition (beside its promo redemption), and a due-date queue
on gsi1 (sharded, revenir.table.queues) for the expiry sweep.
"""

from __future__ import annotations

from revenir.table import partitions


def pending_pk(property_id: str, booking_id: str) -> str:
    return partitions.booking_pk(property_id, booking_id)


PENDING_SK = "PENDING_PAYMENT"
DUE_QUEUE = "PENDING_DUE"
