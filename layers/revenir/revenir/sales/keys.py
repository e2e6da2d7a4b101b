"""Keys of private sales and partner cards (docs/data-model.md). Private to revenir.sales."""

from __future__ import annotations

from revenir.table.partitions import property_pk

__all__ = ["CARD_SK", "PARTNER_PREFIX", "SALE_SK", "card_pk", "partner_program_sk", "property_pk", "sale_code_pk",
           "sale_list_pk", "sale_pk"]


def sale_pk(property_id: str, link_token: str) -> str:
    return f"PROPERTY#{property_id}#SALE#{link_token}"


def sale_code_pk(property_id: str, access_code: str) -> str:
    """A copy of the sale under its access code, so a typed code is found in the same BatchGetItem."""
    return f"PROPERTY#{property_id}#SALECODE#{access_code}"


SALE_SK = "SALE"


def sale_list_pk(property_id: str) -> str:
    return f"PROPERTY#{property_id}#SALES"


def partner_program_sk(program_id: str) -> str:
    return f"PARTNER#{program_id}"


PARTNER_PREFIX = "PARTNER#"


def card_pk(property_id: str, number: str) -> str:
    return f"PROPERTY#{property_id}#CARD#{number}"


CARD_SK = "CARD"
