"""Campaigns in the single table: the campaign (in the property's campaigns partition, on the campaign queue
of gsi1 while scheduled), one recipient item per campaign and guest (in the guest's partition, written once
with a condition, its state moved by conditional writes: queued -> sending -> sent | failed | suppressed) and
sharded counters. Layout: revenir.campaigns.keys, docs/data-model.md."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from revenir.campaigns import keys
from revenir.core.errors import Conflict, NotFound
from revenir.stats import store as stats
from revenir.table import queues
from revenir.table.dynamodb import (
    DynamoDBClient,
    Item,
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

#: Counter attributes of the figures' shards.
COUNTERS = ("recipients", "sent", "suppressed", "failed", "cancelled", "bounced", "complained", "unsubscribed",
            "codes_redeemed")
_STORAGE = {"pk", "sk", "gsi1pk", "gsi1sk"}


def _conditional_failed(exc: Exception) -> bool:
    if error_code(exc) == "ConditionalCheckFailedException":
        return True
    return error_code(exc) == "TransactionCanceledException" and cancellation_codes(exc)[:1] == [
        "ConditionalCheckFailed"]


def counter_update(table: str, property_id: str, campaign_id: str, counters: dict[str, int]) -> dict[str, Any]:
    """A transaction item adding to one random counter shard of the campaign (no hot item)."""
    names = {f"#{k}": k for k in counters}
    return {"Update": {
        "TableName": table,
        "Key": key(keys.figures_pk(property_id, campaign_id), keys.counter_sk(random.randrange(keys.COUNTER_SHARDS))),
        "UpdateExpression": "ADD " + ", ".join(f"#{k} :{k}" for k in counters),
        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values(**counters)}}


def attribution_key(property_id: str, campaign_id: str) -> tuple[str, str]:
    """Where the promo-code engine counts the redemptions of a campaign's codes (its shard 0)."""
    return keys.figures_pk(property_id, campaign_id), keys.counter_sk(0)


class CampaignStore:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name
        self.table = table_name

    # ------------------------------------------------------------------ campaigns
    def put_new(self, campaign: Item) -> None:
        self._client.put_item(TableName=self._table, Item=serialize({
            "pk": keys.campaigns_pk(campaign["property_id"]), "sk": keys.campaign_sk(campaign["campaign_id"]),
            **campaign}), ConditionExpression="attribute_not_exists(pk)")

    def get(self, property_id: str, campaign_id: str) -> Item:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.campaigns_pk(property_id), keys.campaign_sk(campaign_id)),
            ConsistentRead=True).get("Item"))
        if item is None:
            raise NotFound(f"no campaign {campaign_id!r}", code="campaign_not_found")
        return {k: v for k, v in item.items() if k not in _STORAGE}

    def all(self, property_id: str) -> list[Item]:
        items = query_all(self._client, TableName=self._table, KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues=values(pk=keys.campaigns_pk(property_id)),
                          ScanIndexForward=False)
        return [{k: v for k, v in i.items() if k not in _STORAGE} for i in items]

    def replace(self, campaign: Item, expected_revision: str, expected_status: tuple[str, ...],
                queue_at: str | None = None) -> None:
        """Write the campaign if it is still at `expected_revision` and in one of `expected_status`; on the
        campaign queue at `queue_at` (scheduled), off it otherwise. 409 when it changed meanwhile."""
        item = {"pk": keys.campaigns_pk(campaign["property_id"]), "sk": keys.campaign_sk(campaign["campaign_id"]),
                **campaign}
        if queue_at:
            item |= {"gsi1pk": queues.queue_pk(keys.CAMPAIGN_QUEUE, campaign["property_id"]),
                     "gsi1sk": f"{queue_at}#{campaign['property_id']}#{campaign['campaign_id']}"}
        statuses = {f"s{n}": s for n, s in enumerate(expected_status)}
        try:
            self._client.put_item(
                TableName=self._table, Item=serialize(item),
                ConditionExpression=f"revision = :rev AND #st IN ({', '.join(':' + n for n in statuses)})",
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues=values(rev=expected_revision, **statuses))
        except Exception as exc:
            if _conditional_failed(exc):
                raise Conflict("the campaign changed since it was read, or it can no longer change",
                               code="concurrent_change") from exc
            raise

    def transition(self, property_id: str, campaign_id: str, from_status: tuple[str, ...], fields: dict[str, Any],
                   off_queue: bool = False) -> bool:
        """Move a campaign's status (and fields) if it is in one of `from_status`; False otherwise."""
        names = {"#st": "status", **{f"#{k}": k for k in fields}}
        statuses = {f"s{n}": s for n, s in enumerate(from_status)}
        expression = "SET " + ", ".join(f"#{k} = :{k}" for k in fields)
        if off_queue:
            expression += " REMOVE gsi1pk, gsi1sk"
        try:
            self._client.update_item(
                TableName=self._table, Key=key(keys.campaigns_pk(property_id), keys.campaign_sk(campaign_id)),
                UpdateExpression=expression, ExpressionAttributeNames=names,
                ConditionExpression=f"#st IN ({', '.join(':' + n for n in statuses)})",
                ExpressionAttributeValues=values(**fields, **statuses))
        except Exception as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def due(self, now_iso: str, limit: int, rotation: int = 0) -> Iterator[Item]:
        return queues.due(self._client, self._table, keys.CAMPAIGN_QUEUE, now_iso, limit, rotation)

    # ------------------------------------------------------------------ recipients
    def add_recipients(self, property_id: str, campaign_id: str, recipients: list[Item]) -> int:
        """Write recipients that do not exist yet (one conditional Put each, in transactions of up to 100 with
        the counter): a planner restarted after a crash rewrites nothing already planned or sent. Returns how many
        were new."""
        new = 0
        for start in range(0, len(recipients), 99):
            chunk = recipients[start:start + 99]
            puts = [self._recipient_put(property_id, campaign_id, r) for r in chunk]
            try:
                transact_write(self._client, [*puts, counter_update(self._table, property_id, campaign_id,
                                                                    {"recipients": len(chunk)})])
                new += len(chunk)
                continue
            except Exception as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise
            for put in puts:  # some were written by an earlier run: one by one, counting only the new ones
                try:
                    transact_write(self._client, [put, counter_update(self._table, property_id, campaign_id,
                                                                      {"recipients": 1})])
                    new += 1
                except Exception as exc:
                    if not _conditional_failed(exc):
                        raise
        return new

    def _recipient_put(self, property_id: str, campaign_id: str, recipient: Item) -> dict[str, Any]:
        item = {"pk": keys.guest_pk(property_id, recipient["email"]), "sk": keys.recipient_sk(campaign_id),
                "property_id": property_id, "campaign_id": campaign_id, "status": "queued", **recipient}
        return {"Put": {"TableName": self._table, "Item": serialize(item),
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def recipient_context(self, property_id: str, campaign_id: str, email: str,
                          profile_key: dict[str, Any], suppression_key: dict[str, Any]) -> dict[str, Item | None]:
        """The recipient, the guest's profile and the address's suppression, in one consistent BatchGetItem
        (the guest's keys come from their owner, revenir.guests)."""
        wanted = {"recipient": key(keys.guest_pk(property_id, email), keys.recipient_sk(campaign_id)),
                  "profile": profile_key, "suppressed": suppression_key}
        found = {(i["pk"], i["sk"]): i for i in batch_get(self._client, self._table, list(wanted.values()), True)}
        return {name: found.get((k["pk"]["S"], k["sk"]["S"])) for name, k in wanted.items()}

    def claim(self, property_id: str, campaign_id: str, email: str, now_iso: str) -> Item | None:
        """queued -> sending, once: however many deliveries of the same SQS message, one consumer sends."""
        try:
            result = self._client.update_item(
                TableName=self._table, Key=key(keys.guest_pk(property_id, email), keys.recipient_sk(campaign_id)),
                UpdateExpression="SET #s = :sending, claimed_at = :now, attempts = if_not_exists(attempts, :zero) "
                                 "+ :one",
                ConditionExpression="#s = :queued", ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(sending="sending", queued="queued", now=now_iso, zero=0, one=1),
                ReturnValues="ALL_NEW")
        except Exception as exc:
            if _conditional_failed(exc):
                return None
            raise
        return deserialize(result["Attributes"])

    def unclaim(self, property_id: str, campaign_id: str, email: str, error: str) -> None:
        """sending -> queued: SES refused for now (throttling): the SQS retry claims it again."""
        self._client.update_item(
            TableName=self._table, Key=key(keys.guest_pk(property_id, email), keys.recipient_sk(campaign_id)),
            UpdateExpression="SET #s = :queued, last_error = :e", ConditionExpression="#s = :sending",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values(queued="queued", sending="sending", e=error))

    def finish(self, property_id: str, campaign_id: str, email: str, status: str, fields: dict[str, Any],
               extra: list[dict[str, Any]] | None = None) -> None:
        """sending -> sent | failed | suppressed, with its counter (and the caller's items) in one transaction."""
        names = {"#s": "status", **{f"#{k}": k for k in fields}}
        update = {"Update": {
            "TableName": self._table, "Key": key(keys.guest_pk(property_id, email), keys.recipient_sk(campaign_id)),
            "UpdateExpression": "SET #s = :status" + "".join(f", #{k} = :{k}" for k in fields),
            "ConditionExpression": "#s = :sending", "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values(status=status, sending="sending", **fields)}}
        items = [update, counter_update(self._table, property_id, campaign_id, {status: 1}), *(extra or [])]
        dashboard = {"sent": "emails_sent", "failed": "emails_failed"}.get(status)
        if dashboard:  # the dashboard's monthly e-mail counters (revenir.stats, UTC month as lifecycle e-mails)
            items.append(stats.add(self._table, property_id, stats.month_of(None), {dashboard: 1}))
        transact_write(self._client, items)

    def mark(self, property_id: str, campaign_id: str, email: str, event: str, at: str) -> bool:
        """A sent recipient bounced, complained or unsubscribed: flagged and counted once (False: already)."""
        try:
            transact_write(self._client, [
                {"Update": {
                    "TableName": self._table,
                    "Key": key(keys.guest_pk(property_id, email), keys.recipient_sk(campaign_id)),
                    "UpdateExpression": "SET #e = :at", "ConditionExpression": "attribute_exists(pk) AND "
                                                                             "attribute_not_exists(#e)",
                    "ExpressionAttributeNames": {"#e": f"{event}_at"}, "ExpressionAttributeValues": values(at=at)}},
                counter_update(self._table, property_id, campaign_id, {event: 1})])
        except Exception as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def recipient(self, property_id: str, campaign_id: str, email: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.guest_pk(property_id, email), keys.recipient_sk(campaign_id)),
            ConsistentRead=True).get("Item"))

    # ------------------------------------------------------------------ figures
    def counters(self, property_id: str, campaign_id: str) -> dict[str, int]:
        """The counter shards summed (one Query). Revenue counters are `revenue_{CUR}`."""
        totals: dict[str, int] = {}
        for item in query_all(self._client, TableName=self._table, KeyConditionExpression="pk = :pk",
                              ExpressionAttributeValues=values(pk=keys.figures_pk(property_id, campaign_id))):
            for name, value in item.items():
                if name in COUNTERS or name.startswith("revenue_"):
                    totals[name] = totals.get(name, 0) + int(value)
        return totals
