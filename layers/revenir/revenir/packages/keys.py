"""Keys of prepaid packages (docs/data-model.md, "Prepaid packages"). Private to revenir.packages.

Definitions in the property's partition (PACKAGE#id); each issued package ("holding") in its own partition,
keyed by its code (a conditional Put makes codes unique), with its ledger entries; the holdings of one
definition listed on gsi1; a booking's consumptions in the booking's shared partition (PACKAGE_USE#code).
"""

from __future__ import annotations

from revenir.table import partitions

DEFINITION_PREFIX = "PACKAGE#"


def definition_pk(property_id: str) -> str:
    return partitions.property_pk(property_id)


def definition_sk(package_id: str) -> str:
    return f"{DEFINITION_PREFIX}{package_id}"


def holding_pk(property_id: str, code: str) -> str:
    return f"PROPERTY#{property_id}#PACKAGE_HOLDING#{code}"


HOLDING_SK = "HOLDING"
LEDGER_PREFIX = "LEDGER#"


def ledger_sk(at: str, entry_id: str) -> str:
    return f"{LEDGER_PREFIX}{at}#{entry_id}"


def holdings_list_pk(property_id: str, package_id: str) -> str:
    """gsi1 partition of one definition's holdings (gsi1sk = issued_at#code)."""
    return f"PROPERTY#{property_id}#PACKAGE#{package_id}"


def consumption_pk(property_id: str, booking_id: str) -> str:
    return partitions.booking_pk(property_id, booking_id)


CONSUMPTION_PREFIX = "PACKAGE_USE#"


def consumption_sk(code: str) -> str:
    return f"{CONSUMPTION_PREFIX}{code}"


def order_pk(property_id: str, order_id: str) -> str:
    """A package bought online: its order (pending until Stripe says it is paid)."""
    return f"PROPERTY#{property_id}#PACKAGE_ORDER#{order_id}"


ORDER_SK = "ORDER"


def payment_intent_pk(payment_intent_id: str) -> str:
    """Stripe PaymentIntent id -> (property, order) of a package order: refunds and disputes carry only the
    intent (their charge may not repeat the intent's metadata)."""
    return f"PACKAGE_PI#{payment_intent_id}"


PAYMENT_INTENT_SK = "ORDER"
