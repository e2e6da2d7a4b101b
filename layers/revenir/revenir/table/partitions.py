"""The table's shared partitions: the tenant, a booking and a guest of a property.

Several capabilities keep items in these partitions (a booking's promo redemption beside its voucher
redemptions; a guest's profile beside links to their carts and redemptions), so their partition keys are
defined once here, below every capability. Every sort key, and every other partition, belongs to exactly
one capability and lives in that capability's `keys` module, which no other capability imports
(tests/unit/test_architecture.py). Every key starts with the property id: one tenant's data never shares
a partition with another's, except the global queues and the SES suppression list (docs/data-model.md).
"""

from __future__ import annotations


def property_pk(property_id: str) -> str:
    """The property's own partition: its settings, offers, templates, segments, review and cart settings."""
    return f"PROPERTY#{property_id}"


def booking_pk(property_id: str, booking_id: str) -> str:
    """One booking: the booking itself (guests), its promo redemption (codes), voucher redemptions (vouchers)."""
    return f"PROPERTY#{property_id}#BOOKING#{booking_id}"


def guest_pk(property_id: str, email: str) -> str:
    """One guest of a property (a guest is an e-mail address): profile, stays, messages, timeline, links."""
    return f"PROPERTY#{property_id}#GUEST#{email}"


def guest_link_sk(kind: str, ref: str) -> str:
    """A link in the guest's partition to a record kept elsewhere (CART, REDEMPTION): GDPR finds it there."""
    return f"LINK#{kind}#{ref}"
