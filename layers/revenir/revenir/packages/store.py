"""Prepaid packages in the single table: definitions, holdings with their ledger, consumptions in one
transaction (the balance re-checked inside DynamoDB), give-back on cancellation. Layout: revenir.packages.keys."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from revenir.core import clock, ids
from revenir.core.errors import Conflict, NotFound
from revenir.events.outbox import outbox_put
from revenir.guests.gdpr import GuestRef
from revenir.guests.store import link_put
from revenir.packages import keys
from revenir.packages.models import Package, PackageConsumeRequest, PackageConsumption, PackageHolding, status_of
from revenir.table.dynamodb import (
    DynamoDBClient,
    Item,
    cancellation_codes,
    cancellation_items,
    deserialize,
    error_code,
    key,
    query_all,
    serialize,
    transact_write,
    values,
)
from revenir.vouchers import codes as voucher_codes

_STORAGE = ("pk", "sk", "gsi1pk", "gsi1sk", "expires_at", "voided", "note", "property_id")


def end_instant(valid_until: date, time_zone: str) -> str:
    """The first instant after the last valid day (property's time zone), in UTC: what conditions compare."""
    return clock.iso(datetime.combine(valid_until + timedelta(days=1), time.min, ZoneInfo(time_zone)))


def holding_out(item: Item, today: date) -> PackageHolding:
    data = {k: v for k, v in item.items() if k not in _STORAGE}
    return PackageHolding.model_validate({**data, "code": voucher_codes.display(item["code"]),
                                   "status": status_of(item, today)})


class PackageRepository:
    def __init__(self, client: DynamoDBClient, table_name: str):
        self._client = client
        self._table = table_name

    # ---------------------------------------------------------------- definitions
    def put_package(self, property_id: str, package: Package, *, must_exist: bool = False) -> Package:
        item = {"pk": keys.definition_pk(property_id), "sk": keys.definition_sk(package.id), **package.model_dump()}
        condition = "attribute_exists(pk)" if must_exist else "attribute_not_exists(pk)"
        try:
            self._client.put_item(TableName=self._table, Item=serialize(item), ConditionExpression=condition)
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            if must_exist:
                raise NotFound(f"package {package.id!r} does not exist", code="package_not_found") from exc
            raise Conflict("this package id exists", code="package_exists") from exc
        return package

    def get_package(self, property_id: str, package_id: str) -> Package:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.definition_pk(property_id), keys.definition_sk(package_id)),
            ConsistentRead=True).get("Item"))
        if item is None:
            raise NotFound(f"package {package_id!r} does not exist", code="package_not_found")
        return Package.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})

    def list_packages(self, property_id: str) -> list[Package]:
        items = query_all(self._client, TableName=self._table,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                          ExpressionAttributeValues=values(pk=keys.definition_pk(property_id),
                                                           p=keys.DEFINITION_PREFIX))
        return [Package.model_validate({k: v for k, v in i.items() if k not in ("pk", "sk")}) for i in items]

    # ---------------------------------------------------------------- holdings
    def issue(self, property_id: str, package: Package, *, holder: dict[str, Any] | None, price_paid: int,
              source: str, order_id: str | None, note: str | None, now: datetime, time_zone: str,
              payment_intent_id: str | None = None) -> Item:
        """A new holding (a fresh code: a conditional Put; a clash, 1 in 2^75, is retried) and its guest link.
        With `order_id` and `payment_intent_id` (bought online), the same transaction moves the order from pending
        to issued: a second delivery of the payment finds it issued (Conflict `already_issued`), never two."""
        today = clock.local_today(time_zone, now)
        valid_until = _add_months(today, package.validity_months)
        for _ in range(3):
            code = voucher_codes.generate()
            item: dict[str, Any] = {
                "pk": keys.holding_pk(property_id, code), "sk": keys.HOLDING_SK, "code": code,
                "property_id": property_id, "package_id": package.id, "name": package.name, "unit": package.unit,
                "units_total": package.units, "balance": package.units, "currency": package.currency,
                "price_paid": price_paid, "valid_until": str(valid_until),
                "expires_at": end_instant(valid_until, time_zone), "voided": False, "source": source,
                "issued_at": clock.iso(now), "gsi1pk": keys.holdings_list_pk(property_id, package.id),
                "gsi1sk": f"{clock.iso(now)}#{code}"}
            if package.offer_ids:
                item["offer_ids"] = package.offer_ids
            for name, value in (("holder", holder), ("order_id", order_id), ("note", note)):
                if value is not None:
                    item[name] = value
            writes: list[dict[str, Any]] = [{"Put": {"TableName": self._table, "Item": serialize(item),
                                                     "ConditionExpression": "attribute_not_exists(pk)"}}]
            if holder and holder.get("email"):
                writes.append(link_put(self._table, property_id, str(holder["email"]), "PACKAGE", code))
            if order_id and payment_intent_id:  # bought online: the event, then the order (checked last)
                writes.append(outbox_put(self._table, property_id, "package.purchased", {  # issue 17: webhooks
                    "order_id": order_id, "package_id": package.id, "code": voucher_codes.display(code),
                    "units": package.units,
                    "unit": package.unit, "total": {"amount": price_paid, "currency": package.currency},
                    "buyer_email": (holder or {}).get("email")}, now))
                writes.append({"Update": {
                    "TableName": self._table, "Key": key(keys.order_pk(property_id, order_id), keys.ORDER_SK),
                    "UpdateExpression": "SET #s = :issued, code = :code, issued_at = :now",
                    "ConditionExpression": "#s = :pending AND payment_intent_id = :pi",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": values(issued="issued", pending="pending", code=code,
                                                        now=clock.iso(now), pi=payment_intent_id)}})
            try:
                transact_write(self._client, writes)
            except Exception as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise
                reasons = cancellation_codes(exc)
                if order_id and payment_intent_id and reasons[-1] == "ConditionalCheckFailed":
                    raise Conflict("this order is already issued", code="already_issued") from exc
                if reasons[0] == "ConditionalCheckFailed":
                    continue
                raise
            return item
        raise Conflict("could not draw a free code: try again", code="concurrent_change")

    def get_holding(self, property_id: str, code: str) -> Item:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.holding_pk(property_id, code), keys.HOLDING_SK),
            ConsistentRead=True).get("Item"))
        if item is None:
            raise NotFound("no package has this code", code="package_holding_not_found")
        return item

    def holdings(self, property_id: str, package_id: str) -> list[Item]:
        return query_all(self._client, TableName=self._table, IndexName="gsi1",
                         KeyConditionExpression="gsi1pk = :pk",
                         ExpressionAttributeValues=values(pk=keys.holdings_list_pk(property_id, package_id)))

    def ledger(self, property_id: str, holding: Item) -> list[Item]:
        opening: Item = {"kind": "issue", "units": holding["units_total"], "at": holding["issued_at"],
                         "note": holding.get("note")}
        entries = query_all(self._client, TableName=self._table, ConsistentRead=True,
                            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                            ExpressionAttributeValues=values(pk=keys.holding_pk(property_id, holding["code"]),
                                                             p=keys.LEDGER_PREFIX))
        return [opening, *entries]

    def _movement(self, property_id: str, code: str, kind: str, units: int, now: datetime,
                  booking_id: str | None) -> dict[str, Any]:
        at = clock.iso(now)
        entry = {"pk": keys.holding_pk(property_id, code), "sk": keys.ledger_sk(at, ids.new_id(kind)), "kind": kind,
                 "units": units, "at": at}
        if booking_id:
            entry["booking_id"] = booking_id
        return {"Put": {"TableName": self._table, "Item": serialize(entry),
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def consume(self, property_id: str, request: PackageConsumeRequest, code: str, unit: str, now: datetime
                ) -> PackageConsumption:
        """ONE TransactWriteItems: the balance goes down under conditions (enough left, not void, not expired),
        a ledger entry, the booking's consumption record (once per booking and package)."""
        at = clock.iso(now)
        record = {"pk": keys.consumption_pk(property_id, request.booking_id), "sk": keys.consumption_sk(code),
                  "booking_id": request.booking_id, "property_id": property_id, "code": code,
                  "units": request.units, "unit": unit, "status": "consumed", "created_at": at}
        items: list[dict[str, Any]] = [
            {"Update": {
                "TableName": self._table, "Key": key(keys.holding_pk(property_id, code), keys.HOLDING_SK),
                "UpdateExpression": "SET balance = balance - :u, updated_at = :now",
                "ConditionExpression": ("attribute_exists(pk) AND voided = :false AND expires_at > :now "
                                        "AND balance >= :u"),
                "ExpressionAttributeValues": values(u=request.units, now=at, false=False),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            self._movement(property_id, code, "consume", -request.units, now, request.booking_id),
            {"Put": {"TableName": self._table, "Item": serialize(record),
                     "ConditionExpression": "attribute_not_exists(pk) OR #s = :released",
                     "ExpressionAttributeNames": {"#s": "status"},
                     "ExpressionAttributeValues": values(released="released"),
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ]
        try:
            transact_write(self._client, items)
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons, olds = cancellation_codes(exc), cancellation_items(exc)
            if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed" and olds[2]:
                old = olds[2]
                return PackageConsumption(booking_id=old["booking_id"], code=voucher_codes.display(code),
                                      units=old["units"], unit=old["unit"], status="consumed", replayed=True)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise _refusal(olds[0], at) from exc
            if "TransactionConflict" in reasons:
                raise Conflict("this package is being used by another booking: try again",
                               code="concurrent_change") from exc
            raise
        return PackageConsumption(booking_id=request.booking_id, code=voucher_codes.display(code), units=request.units,
                              unit=unit, status="consumed")

    def release(self, property_id: str, booking_id: str, now: datetime) -> int:
        """Give back what a booking took from its packages (cancellation): how many consumptions were undone."""
        records = query_all(self._client, TableName=self._table, ConsistentRead=True,
                            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                            ExpressionAttributeValues=values(pk=keys.consumption_pk(property_id, booking_id),
                                                             p=keys.CONSUMPTION_PREFIX))
        if not records:
            raise NotFound(f"booking {booking_id!r} used no package", code="consumption_not_found")
        released = 0
        for record in records:
            if record["status"] != "consumed":
                continue
            try:
                transact_write(self._client, [
                    {"Update": {"TableName": self._table, "Key": key(record["pk"], record["sk"]),
                                "UpdateExpression": "SET #s = :released, released_at = :now",
                                "ConditionExpression": "#s = :consumed", "ExpressionAttributeNames": {"#s": "status"},
                                "ExpressionAttributeValues": values(released="released", consumed="consumed",
                                                                    now=clock.iso(now))}},
                    {"Update": {"TableName": self._table,
                                "Key": key(keys.holding_pk(property_id, record["code"]), keys.HOLDING_SK),
                                "UpdateExpression": "SET balance = balance + :u, updated_at = :now",
                                "ConditionExpression": "attribute_exists(pk)",
                                "ExpressionAttributeValues": values(u=record["units"], now=clock.iso(now))}},
                    self._movement(property_id, record["code"], "release", int(record["units"]), now, booking_id),
                ])
                released += 1
            except Exception as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise
                if cancellation_codes(exc)[0] != "ConditionalCheckFailed":
                    raise  # else released meanwhile by a concurrent call: nothing to do
        return released

    def void(self, property_id: str, code: str, now: datetime) -> None:
        """What is left can no longer be used (the ledger records the units voided)."""
        holding = self.get_holding(property_id, code)
        if holding.get("voided"):
            return
        try:
            transact_write(self._client, [
                {"Update": {"TableName": self._table, "Key": key(holding["pk"], holding["sk"]),
                            "UpdateExpression": "SET voided = :true, balance = :zero, updated_at = :now",
                            "ConditionExpression": "voided = :false AND balance = :b",
                            "ExpressionAttributeValues": values(true=True, false=False, zero=0, b=holding["balance"],
                                                                now=clock.iso(now))}},
                self._movement(property_id, code, "void", -int(holding["balance"]), now, None),
            ])
        except Exception as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            raise Conflict("the package changed meanwhile: try again", code="concurrent_change") from exc

    # ---------------------------------------------------------------- orders (bought online)
    def create_order(self, property_id: str, order: dict[str, Any]) -> None:
        self._client.put_item(TableName=self._table, Item=serialize({
            "pk": keys.order_pk(property_id, order["order_id"]), "sk": keys.ORDER_SK, **order}),
            ConditionExpression="attribute_not_exists(pk)")

    def attach_payment(self, property_id: str, order_id: str, payment_intent_id: str) -> None:
        """The order knows its PaymentIntent and the intent finds its order, in one transaction."""
        transact_write(self._client, [
            {"Update": {"TableName": self._table, "Key": key(keys.order_pk(property_id, order_id), keys.ORDER_SK),
                        "UpdateExpression": "SET payment_intent_id = :pi",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": values(pi=payment_intent_id)}},
            {"Put": {"TableName": self._table, "Item": serialize({
                "pk": keys.payment_intent_pk(payment_intent_id), "sk": keys.PAYMENT_INTENT_SK,
                "property_id": property_id, "order_id": order_id})}},
        ])

    def order_of_payment_intent(self, payment_intent_id: str) -> tuple[str, str] | None:
        item = deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.payment_intent_pk(payment_intent_id), keys.PAYMENT_INTENT_SK),
            ConsistentRead=True).get("Item"))
        return (str(item["property_id"]), str(item["order_id"])) if item else None

    def record_refund(self, property_id: str, order_id: str, amount_refunded: int, full: bool, now: datetime
                      ) -> None:
        """Stripe's refunded total on the order (a replayed event writes the same values)."""
        self._client.update_item(
            TableName=self._table, Key=key(keys.order_pk(property_id, order_id), keys.ORDER_SK),
            UpdateExpression="SET amount_refunded = :a, refunded = :f, updated_at = :now",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=values(a=amount_refunded, f=full, now=clock.iso(now)))

    def record_dispute(self, property_id: str, order_id: str, dispute_id: str, status: str, now: datetime) -> None:
        """A dispute on the order's charge (needs_response, won, lost…): kept on the order."""
        self._client.update_item(
            TableName=self._table, Key=key(keys.order_pk(property_id, order_id), keys.ORDER_SK),
            UpdateExpression="SET dispute_id = :d, dispute_status = :s, updated_at = :now",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=values(d=dispute_id, s=status, now=clock.iso(now)))

    def get_order(self, property_id: str, order_id: str) -> Item | None:
        return deserialize(self._client.get_item(
            TableName=self._table, Key=key(keys.order_pk(property_id, order_id), keys.ORDER_SK),
            ConsistentRead=True).get("Item"))

    def mark_order_failed(self, property_id: str, order_id: str, reason: str) -> None:
        try:
            self._client.update_item(
                TableName=self._table, Key=key(keys.order_pk(property_id, order_id), keys.ORDER_SK),
                UpdateExpression="SET failure = :r", ConditionExpression="#s = :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(r=reason, pending="pending"))
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise

    def claim_mail(self, property_id: str, order_id: str, now: datetime) -> bool:
        """One sender only: claimed by a conditional write before sending (never sent then marked)."""
        try:
            self._client.update_item(
                TableName=self._table, Key=key(keys.order_pk(property_id, order_id), keys.ORDER_SK),
                UpdateExpression="SET mail_status = :sending, mail_claimed_at = :now",
                ConditionExpression="attribute_not_exists(mail_status)",
                ExpressionAttributeValues=values(sending="sending", now=clock.iso(now)))
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def finish_mail(self, property_id: str, order_id: str, message_id: str | None) -> None:
        """`message_id` None: the send failed, the claim is released so that a retry sends it."""
        order_key = key(keys.order_pk(property_id, order_id), keys.ORDER_SK)
        if message_id is None:
            self._client.update_item(TableName=self._table, Key=order_key, UpdateExpression="REMOVE mail_status")
            return
        self._client.update_item(TableName=self._table, Key=order_key,
                                 UpdateExpression="SET mail_status = :sent, mail_message_id = :m",
                                 ExpressionAttributeValues=values(sent="sent", m=message_id))

    # ---------------------------------------------------------------- GDPR (revenir.guests.gdpr.GuestDataHolder)
    def export_guest(self, guest: GuestRef) -> dict[str, Any]:
        out = []
        for code in guest.links.get("PACKAGE", ()):
            item = deserialize(self._client.get_item(
                TableName=self._table, Key=key(keys.holding_pk(guest.property_id, code), keys.HOLDING_SK)).get("Item"))
            if item and (item.get("holder") or {}).get("email") == guest.email:
                out.append(holding_out(item, clock.local_today("UTC")).model_dump(mode="json"))
        return {"prepaid_packages": out}

    def erase_guest(self, guest: GuestRef) -> dict[str, int]:
        """The holder's name and address leave the package; its units and ledger stay (the host's accounts)."""
        erased = 0
        for code in guest.links.get("PACKAGE", ()):
            try:
                self._client.update_item(
                    TableName=self._table, Key=key(keys.holding_pk(guest.property_id, code), keys.HOLDING_SK),
                    UpdateExpression="REMOVE holder SET erased_at = :now",
                    ConditionExpression="holder.email = :email",
                    ExpressionAttributeValues=values(email=guest.email, now=clock.iso(clock.now())))
                erased += 1
            except Exception as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise
        return {"prepaid_packages": erased}


def _refusal(old: Item | None, at: str) -> Exception:
    if old is None:
        return NotFound("no package has this code", code="package_holding_not_found")
    if old.get("voided"):
        return Conflict("this package was voided", code="package_void")
    if old["expires_at"] <= at:
        return Conflict(f"this package expired on {old['valid_until']}", code="package_expired",
                        details=[{"valid_until": old["valid_until"]}])
    return Conflict("the package has too few units left", code="insufficient_units",
                    details=[{"balance": old["balance"]}])


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError("unreachable")


__all__ = ["PackageRepository", "holding_out"]
