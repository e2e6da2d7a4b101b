"""Memberships in the single table. Every write is one transaction over both copies of a membership and the
property's tenancy record, so the two directions never disagree and a property keeps at least one owner."""

from __future__ import annotations

from typing import Any

from revenir.core.errors import Conflict, NotFound
from revenir.members import keys
from revenir.members.models import Member, Role, Tenancy
from revenir.table.dynamodb import (
    DynamoDBClient,
    batch_get,
    cancellation_codes,
    deserialize,
    error_code,
    key,
    query_all,
    serialize,
    transact_write,
    values,
)

_NEW = "attribute_not_exists(pk)"


class MembershipStore:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    # ------------------------------------------------------------ reads
    def tenancy(self, property_id: str) -> Tenancy | None:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.members_pk(property_id), keys.TENANCY_SK), ConsistentRead=True,
        ).get("Item"))
        return Tenancy.model_validate(item) if item else None

    def role_of(self, property_id: str, email: str) -> Role | None:
        """The member's role at the property, read consistently (authorisation of member management)."""
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.member_pk(email), keys.principal_sk(property_id)),
            ConsistentRead=True,
        ).get("Item"))
        return Role(item["role"]) if item else None

    def properties_of_member(self, email: str) -> dict[str, Role]:
        """Every property the member acts for, with the role: one Query (the token trigger's only read)."""
        items = query_all(
            self._client, TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=values(pk=keys.member_pk(email), prefix=keys.PRINCIPAL_SK_PREFIX),
        )
        return {str(i["property_id"]): Role(i["role"]) for i in items}

    def properties_of_client(self, client_id: str) -> list[str]:
        items = query_all(
            self._client, TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=values(pk=keys.client_pk(client_id), prefix=keys.PRINCIPAL_SK_PREFIX),
        )
        return sorted(str(i["property_id"]) for i in items)

    def members(self, property_id: str) -> list[Member]:
        items = query_all(
            self._client, TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=values(pk=keys.members_pk(property_id), prefix="EMAIL#"),
        )
        return sorted((Member.model_validate(i) for i in items), key=lambda m: (m.role != Role.OWNER, m.email))

    # ------------------------------------------------------------ writes
    def create_tenancy(self, property_id: str, owner_email: str, now: str, by: str) -> Tenancy:
        """The property's tenancy and its first owner, once: 409 if the property already exists."""
        tenancy = Tenancy(property_id=property_id, owner_email=owner_email, created_at=now)
        tenancy_item = {"pk": keys.members_pk(property_id), "sk": keys.TENANCY_SK, "owners": 1, "created_by": by,
                        **tenancy.model_dump()}
        try:
            transact_write(self._client, [
                {"Put": {"TableName": self._table, "Item": serialize(tenancy_item), "ConditionExpression": _NEW}},
                *self._put_member(property_id, owner_email, Role.OWNER, now, by),
            ])
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            raise Conflict(f"property {property_id!r} already exists", code="property_exists") from exc
        return tenancy

    def put_member(self, property_id: str, email: str, role: Role, now: str, by: str) -> tuple[Member, bool]:
        """Add a member or change their role. Returns (member, changed); the same call twice changes nothing."""
        current = self._member(property_id, email)
        if current is not None and current.role == role:
            return current, False
        demoting = current is not None and current.role == Role.OWNER
        tenancy = self._tenancy_op(property_id, +1 if role == Role.OWNER else -1 if demoting else 0)
        if current is None:
            writes = self._put_member(property_id, email, role, now, by)
            added_at = now
        else:
            writes = [self._set_role(pk, sk, current.role, role) for pk, sk in _copies(property_id, email)]
            added_at = current.added_at
        self._transact([tenancy, *writes], property_id)
        added_by = by if current is None else current.added_by
        return Member(email=email, role=role, added_at=added_at, added_by=added_by), True

    def remove_member(self, property_id: str, email: str) -> Member:
        current = self._member(property_id, email)
        if current is None:
            raise NotFound(f"{email} is not a member of {property_id!r}", code="member_not_found")
        writes: list[dict[str, Any]] = [
            {"Delete": {"TableName": self._table, "Key": key(pk, sk), "ConditionExpression": "#role = :role",
                        "ExpressionAttributeNames": {"#role": "role"},
                        "ExpressionAttributeValues": values(role=current.role.value)}}
            for pk, sk in _copies(property_id, email)
        ]
        if current.role == Role.OWNER:
            writes.append(self._tenancy_op(property_id, -1))
        self._transact(writes, property_id)
        return current

    def register_client(self, client_id: str, property_ids: list[str], now: str) -> None:
        """A booking-engine client acts for these properties (each must exist). Idempotent."""
        wanted = sorted(set(property_ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 100):
            found |= {str(i["property_id"]) for i in batch_get(
                self._client, self._table,
                [key(keys.members_pk(p), keys.TENANCY_SK) for p in wanted[start:start + 100]], consistent=True)}
        missing = [p for p in wanted if p not in found]
        if missing:
            raise NotFound(f"no such properties: {', '.join(missing)}", code="property_not_found",
                           details=[{"field": "body.property_ids", "message": p, "type": "not_found"}
                                    for p in missing])
        items = []
        for pid in wanted:
            common = {"property_id": pid, "client_id": client_id, "added_at": now}
            items.append({"pk": keys.client_pk(client_id), "sk": keys.principal_sk(pid), **common})
            items.append({"pk": keys.members_pk(pid), "sk": keys.client_sk(client_id), **common})
        for start in range(0, len(items), 25):
            request: dict[str, Any] = {self._table: [{"PutRequest": {"Item": serialize(i)}}
                                                     for i in items[start:start + 25]]}
            for _ in range(5):
                request = self._client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
                if not request:
                    break
            else:
                raise RuntimeError("DynamoDB left items unprocessed after 5 attempts")

    # ------------------------------------------------------------ helpers
    def _tenancy_op(self, property_id: str, owners_delta: int) -> dict[str, Any]:
        """The tenancy record in a transaction: it must exist; its owner count moves, never below one."""
        target = {"TableName": self._table, "Key": key(keys.members_pk(property_id), keys.TENANCY_SK)}
        if owners_delta == 0:
            return {"ConditionCheck": {**target, "ConditionExpression": "attribute_exists(pk)"}}
        if owners_delta > 0:
            return {"Update": {**target, "ConditionExpression": "attribute_exists(pk)",
                               "UpdateExpression": "ADD owners :d", "ExpressionAttributeValues": values(d=1)}}
        return {"Update": {**target, "ConditionExpression": "attribute_exists(pk) AND owners > :one",
                           "UpdateExpression": "ADD owners :d", "ExpressionAttributeValues": values(d=-1, one=1)}}

    def _member(self, property_id: str, email: str) -> Member | None:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.members_pk(property_id), keys.email_sk(email)), ConsistentRead=True,
        ).get("Item"))
        return Member.model_validate(item) if item else None

    def _put_member(self, property_id: str, email: str, role: Role, now: str, by: str) -> list[dict[str, Any]]:
        common = {"property_id": property_id, "email": email, "role": role.value, "added_at": now, "added_by": by}
        return [
            {"Put": {"TableName": self._table, "Item": serialize({"pk": pk, "sk": sk, **common}),
                     "ConditionExpression": _NEW}}
            for pk, sk in _copies(property_id, email)
        ]

    def _set_role(self, pk: str, sk: str, old: Role, new: Role) -> dict[str, Any]:
        return {"Update": {
            "TableName": self._table, "Key": key(pk, sk), "ConditionExpression": "#role = :old",
            "UpdateExpression": "SET #role = :new", "ExpressionAttributeNames": {"#role": "role"},
            "ExpressionAttributeValues": values(old=old.value, new=new.value),
        }}

    def _transact(self, items: list[dict[str, Any]], property_id: str) -> None:
        try:
            transact_write(self._client, items)
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons = cancellation_codes(exc)
            tenancy_failed = any(
                next(iter(item.values()))["Key"]["sk"]["S"] == keys.TENANCY_SK and reason == "ConditionalCheckFailed"
                for item, reason in zip(items, reasons, strict=False)
            )
            if tenancy_failed:
                if self.tenancy(property_id) is None:
                    raise NotFound(f"property {property_id!r} does not exist", code="property_not_found") from exc
                raise Conflict("a property keeps at least one owner", code="last_owner") from exc
            raise Conflict("the membership changed meanwhile; read it again", code="membership_changed") from exc


def _copies(property_id: str, email: str) -> list[tuple[str, str]]:
    return [(keys.member_pk(email), keys.principal_sk(property_id)),
            (keys.members_pk(property_id), keys.email_sk(email))]
