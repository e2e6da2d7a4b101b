"""Keys of the membership items (see docs/data-model.md, "Memberships").

Each membership is written twice in one transaction, so both directions are one Query:
- by principal, for the token trigger: `MEMBER#{email}` or `CLIENT#{client_id}` / `PROPERTY#{pid}`;
- by property, for the members page: `PROPERTY#{pid}#MEMBERS` / `EMAIL#{email}` or `CLIENT#{client_id}`.
The property's tenancy record `PROPERTY#{pid}#MEMBERS` / `#TENANCY` exists once the operator created the
property, and counts its owners (a property never loses its last owner).
"""

from __future__ import annotations


def member_pk(email: str) -> str:
    return f"MEMBER#{email}"


def client_pk(client_id: str) -> str:
    return f"CLIENT#{client_id}"


def principal_sk(property_id: str) -> str:
    return f"PROPERTY#{property_id}"


PRINCIPAL_SK_PREFIX = "PROPERTY#"


def members_pk(property_id: str) -> str:
    return f"PROPERTY#{property_id}#MEMBERS"


def email_sk(email: str) -> str:
    return f"EMAIL#{email}"


def client_sk(client_id: str) -> str:
    return f"CLIENT#{client_id}"


TENANCY_SK = "#TENANCY"
