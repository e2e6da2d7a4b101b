"""Keys of a property's connected Stripe account (docs/data-model.md, "Stripe Connect"). Private to revenir.connect.

One item in the property's own partition: no global lookup by account id (a webhook finds the property in the
PaymentIntent's or the account's metadata, then checks that the stored account is the event's `account`).
"""

from __future__ import annotations

from revenir.table import partitions


def account_pk(property_id: str) -> str:
    return partitions.property_pk(property_id)


ACCOUNT_SK = "CONNECT#ACCOUNT"
