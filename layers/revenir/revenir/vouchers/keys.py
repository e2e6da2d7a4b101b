"""Partition and sort keys of gift vouchers in the single table (docs/data-model.md, "Gift vouchers").

Kept apart from revenir.table.keys so the vouchers work owns its layout; the prefixes do not collide
with the other concepts' (VOUCHER#, GIFTORDER#, GIFTPRODUCT#, VOUCHER_REDEMPTION#, STRIPE#PI#).
"""

from __future__ import annotations

from revenir.table import partitions


def product_pk(property_id: str) -> str:
    return f"PROPERTY#{property_id}"


def product_sk(product_id: str) -> str:
    return f"GIFTPRODUCT#{product_id}"


PRODUCT_PREFIX = "GIFTPRODUCT#"


def voucher_pk(property_id: str, code: str) -> str:
    """A voucher's partition: the voucher item and its ledger entries. The code is the key: a conditional
    Put on it is what makes codes unique."""
    return f"PROPERTY#{property_id}#VOUCHER#{code}"


VOUCHER_SK = "VOUCHER"
LEDGER_PREFIX = "LEDGER#"


def ledger_sk(at: str, entry_id: str) -> str:
    return f"{LEDGER_PREFIX}{at}#{entry_id}"


def product_vouchers_pk(property_id: str, product_id: str) -> str:
    """GSI1 partition listing the vouchers sold from a product (gsi1sk = purchased_at#code, newest last)."""
    return f"PROPERTY#{property_id}#GIFTPRODUCT#{product_id}"


def order_pk(property_id: str, order_id: str) -> str:
    return f"PROPERTY#{property_id}#GIFTORDER#{order_id}"


ORDER_SK = "ORDER"


def delivery_sk(to: str) -> str:
    return f"DELIVERY#{to}"


#: GSI1 partition of e-mails waiting for their delivery time (gsi1sk = due ISO instant#property#order#to).
DELIVERY_QUEUE = "VOUCHER_DELIVERY"  # queue name (gsi1, sharded by property: revenir.table.queues)


def payment_intent_pk(payment_intent_id: str) -> str:
    """Stripe PaymentIntent id -> (property, order), for events that carry only the intent (refunds)."""
    return f"STRIPE#PI#{payment_intent_id}"


PAYMENT_INTENT_SK = "GIFTORDER"


#: Voucher redemptions live in the booking's partition (beside the promo redemption of the booking).
booking_pk = partitions.booking_pk


def redemption_sk(code: str) -> str:
    return f"VOUCHER_REDEMPTION#{code}"


REDEMPTION_PREFIX = "VOUCHER_REDEMPTION#"
