"""Keys of abandoned carts (docs/data-model.md, "Abandoned carts"). Private to revenir.carts."""

from __future__ import annotations

from revenir.table.partitions import guest_link_sk, guest_pk, property_pk

__all__ = ["CART_SETTINGS_SK", "CART_SK", "cart_pk", "cart_stats_pk", "guest_link_sk", "guest_pk", "property_pk"]


def cart_pk(property_id: str, cart_id: str) -> str:
    return f"PROPERTY#{property_id}#CART#{cart_id}"


CART_SK = "CART"
CART_SETTINGS_SK = "CARTSETTINGS"


def cart_stats_pk(property_id: str) -> str:
    """One counter item per local day: started, reminded, recovered, recovered revenue per currency."""
    return f"PROPERTY#{property_id}#CARTSTATS"
