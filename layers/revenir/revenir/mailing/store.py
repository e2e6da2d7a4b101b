"""The e-mailing tool's items: the connection and the sync status (the property's MAILING partition), what was
last sent for each guest (in the guest's partition), and the credentials in Secrets Manager (one secret per
property and tool, under the stack's name prefix; the API function alone may write them)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from revenir.core import clock
from revenir.guests.gdpr import GuestRef
from revenir.mailing import keys
from revenir.table.dynamodb import DynamoDBClient, Item, deserialize, key, public, serialize, values

#: Counters of the status item (ADDed by the sync, never read-modify-written).
COUNTERS = ("sent", "updated", "removed", "failed", "skipped")


class MailingRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    def connection_and_status(self, property_id: str) -> tuple[Item | None, Item | None]:
        page = self._client.query(TableName=self._table, KeyConditionExpression="pk = :pk", ConsistentRead=True,
                                  ExpressionAttributeValues=values(pk=keys.mailing_pk(property_id)))
        found = {i["sk"]: i for i in (deserialize(raw) or {} for raw in page.get("Items", []))}
        return found.get(keys.CONNECTION_SK), found.get(keys.STATUS_SK)

    def connection(self, property_id: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.mailing_pk(property_id), keys.CONNECTION_SK)).get("Item"))

    def save_connection(self, property_id: str, data: Item, *, new_status: bool) -> None:
        """The connection; another tool starts a new status (its figures mean nothing for the new one)."""
        puts: list[Any] = [{"Put": {"TableName": self._table, "Item": serialize(
            {"pk": keys.mailing_pk(property_id), "sk": keys.CONNECTION_SK, **data})}}]
        if new_status:
            puts.append({"Put": {"TableName": self._table, "Item": serialize(
                {"pk": keys.mailing_pk(property_id), "sk": keys.STATUS_SK, "resync": "idle"})}})
        self._client.transact_write_items(TransactItems=puts)

    def update_connection(self, property_id: str, fields: dict[str, Any]) -> bool:
        names = {f"#{k}": k for k in fields}
        try:
            self._client.update_item(
                TableName=self._table, Key=key(keys.mailing_pk(property_id), keys.CONNECTION_SK),
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
                ConditionExpression="attribute_exists(pk)", ExpressionAttributeNames=names,
                ExpressionAttributeValues=values(**fields))
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def delete_connection(self, property_id: str) -> None:
        for sk in (keys.CONNECTION_SK, keys.STATUS_SK):
            self._client.delete_item(TableName=self._table, Key=key(keys.mailing_pk(property_id), sk))

    def count(self, property_id: str, counts: dict[str, int], error: str | None = None, *,
              resync: str | None = None) -> None:
        """Add to the status counters (one UpdateItem), mark the last sync, and the last error if any."""
        now = clock.iso(clock.now())
        sets = ["last_sync_at = :now"]
        vals: dict[str, Any] = {"now": now}
        adds = []
        for name, value in counts.items():
            if value and name in COUNTERS:
                adds.append(f"#{name} :{name}")
                vals[name] = value
        if error:
            sets += ["last_error = :err", "last_error_at = :now"]
            vals["err"] = error[:300]
        if resync == "running":
            sets += ["resync = :rs", "resync_started_at = :now"]
            vals["rs"] = resync
        elif resync == "done":
            sets += ["resync = :rs", "resync_finished_at = :now"]
            vals["rs"] = resync
        expression = "SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else "")
        names = {f"#{n}": n for n in counts if n in vals}
        self._client.update_item(
            TableName=self._table, Key=key(keys.mailing_pk(property_id), keys.STATUS_SK),
            UpdateExpression=expression, ExpressionAttributeValues=values(**vals),
            **({"ExpressionAttributeNames": names} if names else {}))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ per guest: what the tool last received
    @staticmethod
    def synced_of(items: list[Item]) -> Item | None:
        return next((i for i in items if i.get("sk") == keys.SYNCED_SK), None)

    # ------------------------------------------------------------------ GDPR (revenir.guests.gdpr.GuestDataHolder)
    def export_guest(self, guest: GuestRef) -> dict[str, Any]:
        """Whether and how the guest was sent to the property's e-mailing tool (state, list, tags, when)."""
        item = deserialize(self._client.get_item(
            TableName=self._table, ConsistentRead=True,
            Key=key(keys.guest_pk(guest.property_id, guest.email), keys.SYNCED_SK)).get("Item"))
        return {"emailing_tool": {k: v for k, v in public(item).items() if k != "digest"} if item else None}

    def erase_guest(self, guest: GuestRef) -> dict[str, int]:
        """Nothing of ours outside the guest's partition (the erasure deletes the marker with it); the contact
        at the tool is deleted by the sync when the profile's removal comes through the stream."""
        return {}

    def mark_synced(self, property_id: str, email: str, data: Item) -> None:
        self._client.put_item(TableName=self._table, Item=serialize(
            {"pk": keys.guest_pk(property_id, email), "sk": keys.SYNCED_SK, **data}))


class MissingKey(Exception):
    """The tool's key is no longer in Secrets Manager: the host must connect the tool again."""


class SecretVault:
    """The tools' credentials in Secrets Manager: `<prefix><property_id>/<provider>`, one secret each."""

    def __init__(self, client: Any, prefix: str):
        self._client = client
        self._prefix = prefix

    def name(self, property_id: str, provider: str) -> str:
        return f"{self._prefix}{property_id}/{provider}"

    def put(self, property_id: str, provider: str, value: str) -> str:
        name = self.name(property_id, provider)
        try:
            self._client.put_secret_value(SecretId=name, SecretString=value)
        except self._client.exceptions.ResourceNotFoundException:
            self._client.create_secret(Name=name, SecretString=value,
                                       Description="Revenir: an e-mailing tool's API key (docs/emailing-tools.md)")
        return name

    def get(self, name: str) -> str:
        """The secret's value; MissingKey when it was deleted (by hand, or a local runtime restarted afresh)."""
        try:
            return str(self._client.get_secret_value(SecretId=name)["SecretString"])
        except self._client.exceptions.ResourceNotFoundException as exc:
            raise MissingKey(name) from exc

    def delete(self, property_id: str, provider: str) -> None:
        with contextlib.suppress(self._client.exceptions.ResourceNotFoundException):
            self._client.delete_secret(SecretId=self.name(property_id, provider), ForceDeleteWithoutRecovery=True)


class ResyncQueue:
    """The resync's pages as SQS messages ({"property_id", "cursor", "force"}): one page per message."""

    def __init__(self, client: Any, url: str):
        self._client = client
        self._url = url

    def __call__(self, message: dict[str, Any]) -> None:
        self._client.send_message(QueueUrl=self._url, MessageBody=json.dumps(message))
