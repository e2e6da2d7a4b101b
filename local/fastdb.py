"""moto's DynamoDB made to cost what a request touches, as DynamoDB does.

moto 5.2.5 does three things whose cost grows with the table, not with the request:

- `TransactWriteItems` deep-copies every table it touches before applying the transaction, to roll back
  on failure (a 3,000-row import on a table of 12,000 cards ran past 600 s at 21.7 GB);
- `Query` on the table walks every item of the table to find one partition;
- `Query` on a global secondary index walks every item of the table too.

Here a transaction journals the items it touches (a copy of each before the first write; put back, or
removed if it did not exist, when the transaction is cancelled), so rollback stays exact; a table query
reads its partition only; and each GSI keeps a hash-key map (built on first use, kept current on every
write), so a GSI query reads only the items under its key. moto's own code still evaluates conditions,
expressions, sorting, paging and projections: only the candidate items it is handed change.
The emulator's one lock (local/emulator.py) still serialises requests, so conditional writes stay atomic.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

_installed = False
#: Writes seen by the emulator since start (local/state.py snapshots only when it moved).
WRITES = {"count": 0}

PrimaryKey = tuple[Any, Any]  # (hash DynamoType, range DynamoType | None)


class _CopyShim:
    """moto.dynamodb.models' `copy`: deep copies as before, except a whole Table (the transaction backup)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        if isinstance(value, Table):  # the journal below replaces the whole-table copy
            return value
        return copy.deepcopy(value, memo)


class _GsiMap:
    """One GSI's items by the values of its hash-key attributes."""

    def __init__(self, hash_attrs: list[str]):
        self.hash_attrs = hash_attrs
        self.by_hash: dict[tuple[Any, ...], dict[PrimaryKey, Any]] = {}
        self.of_item: dict[PrimaryKey, tuple[Any, ...]] = {}

    def place(self, pk: PrimaryKey, item: Any | None) -> None:
        old = self.of_item.pop(pk, None)
        if old is not None:
            bucket = self.by_hash.get(old)
            if bucket is not None:
                bucket.pop(pk, None)
                if not bucket:
                    del self.by_hash[old]
        if item is None:
            return
        values = tuple(item.attrs.get(attr) for attr in self.hash_attrs)
        if any(v is None for v in values):
            return
        self.by_hash.setdefault(values, {})[pk] = item
        self.of_item[pk] = values


def _items_of(table: Any) -> list[tuple[PrimaryKey, Any]]:
    out: list[tuple[PrimaryKey, Any]] = []
    for hash_key, value in table.items.items():
        if table.range_key_attr:
            out.extend(((hash_key, range_key), item) for range_key, item in value.items())
        else:
            out.append(((hash_key, None), value))
    return out


def _current(table: Any, pk: PrimaryKey) -> Any | None:
    hash_key, range_key = pk
    if table.range_key_attr:
        partition = table.items.get(hash_key)
        return partition.get(range_key) if partition else None
    return table.items.get(hash_key)


def _gsi_maps(table: Any) -> dict[str, _GsiMap]:
    maps: dict[str, _GsiMap] | None = table.__dict__.get("_revenir_gsi")
    if maps is None:
        maps = {}
        for index in table.global_indexes:
            hash_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            maps[index.name] = _GsiMap(hash_attrs)
        for pk, item in _items_of(table):
            for gsi in maps.values():
                gsi.place(pk, item)
        table.__dict__["_revenir_gsi"] = maps
    return maps


def _reindex(table: Any, pk: PrimaryKey) -> None:
    WRITES["count"] += 1
    maps = table.__dict__.get("_revenir_gsi")
    if maps:
        item = _current(table, pk)
        for gsi in maps.values():
            gsi.place(pk, item)


def _pk_of(table: Any, attrs: dict[str, Any]) -> PrimaryKey | None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    if table.hash_key_attr not in attrs:
        return None
    hash_key = DynamoType(attrs[table.hash_key_attr])
    if table.range_key_attr is None:
        return hash_key, None
    if table.range_key_attr not in attrs:
        return None
    return hash_key, DynamoType(attrs[table.range_key_attr])


class _Candidates:
    """The table as moto's query sees it, with only the candidate items: everything else is the table's."""

    def __init__(self, table: Any, items: list[Any]):
        self.__dict__["_table"], self.__dict__["_items"] = table, items

    def all_items(self) -> list[Any]:
        return list(self.__dict__["_items"])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_table"], name)


def install() -> None:
    """Patch moto's DynamoDB classes (in-process and server mode alike). Idempotent."""
    global _installed
    if _installed:
        return
    import moto.dynamodb.models as models
    from moto.dynamodb.exceptions import TooManyTransactionsException
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    models.copy = _CopyShim()  # type: ignore[assignment,attr-defined]

    original_transact = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        journal: dict[tuple[str, PrimaryKey], tuple[Any, Any | None]] = {}
        for entry in transact_items:
            if len(entry) != 1:
                continue  # moto raises the validation error itself
            op_type, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            pk = _pk_of(table, op.get("Item") if op_type == "Put" else op.get("Key") or {})
            if pk is None or (table.name, pk) in journal:
                continue
            before = _current(table, pk)
            journal[(table.name, pk)] = (table, copy.deepcopy(before) if before is not None else None)
        streams = {id(table): (table.stream_shard, len(table.stream_shard.items))
                   for table, _ in journal.values() if table.stream_shard is not None}
        try:
            original_transact(self, transact_items)
        except BaseException:
            for shard, length in streams.values():  # a cancelled transaction leaves no stream record
                del shard.items[length:]
            for (_, pk), (table, before) in journal.items():
                hash_key, range_key = pk
                if before is None:
                    if table.range_key_attr:
                        partition = table.items.get(hash_key)
                        if partition is not None:
                            partition.pop(range_key, None)
                            if not partition:
                                table.items.pop(hash_key, None)
                    else:
                        table.items.pop(hash_key, None)
                elif table.range_key_attr:
                    table.items[hash_key][range_key] = before
                else:
                    table.items[hash_key] = before
                _reindex(table, pk)
            raise

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]

    original_update = DynamoDBBackend.update_item

    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return original_update(self, table_name, key, *args, **kwargs)
        finally:  # moto updates the stored item in place: re-file it under its (possibly new) GSI keys
            table = self.tables.get(table_name)
            pk = _pk_of(table, key) if table is not None else None
            if pk is not None:
                _reindex(table, pk)

    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]

    original_put = Table.put_item

    def put_item(self: Any, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        item = original_put(self, item_attrs, *args, **kwargs)
        _reindex(self, (item.hash_key, item.range_key))
        return item

    Table.put_item = put_item  # type: ignore[method-assign]

    original_delete = Table.delete_item

    def delete_item(self: Any, hash_key: Any, range_key: Any) -> Any:
        item = original_delete(self, hash_key, range_key)
        _reindex(self, (hash_key, range_key))
        return item

    Table.delete_item = delete_item  # type: ignore[method-assign]

    original_query = Table.query
    signature = inspect.signature(original_query)

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        params = bound.arguments
        index_name = params.get("index_name")
        candidates: list[Any] | None = None
        if not index_name and params.get("hash_key") is not None:
            partition = self.items.get(params["hash_key"])
            if self.range_key_attr:
                candidates = list(partition.values()) if partition else []
            else:
                candidates = [partition] if partition is not None else []
        elif index_name and params.get("hash_key_conditions"):
            gsi = _gsi_maps(self).get(index_name)
            conditions = dict(params["hash_key_conditions"])
            if gsi is not None and all(attr in conditions for attr in gsi.hash_attrs):
                values = tuple(conditions[attr] for attr in gsi.hash_attrs)
                candidates = list(gsi.by_hash.get(values, {}).values())
        if candidates is None:
            return original_query(self, *args, **kwargs)
        return original_query(_Candidates(self, candidates), *args, **kwargs)  # type: ignore[arg-type]

    Table.query = query  # type: ignore[method-assign]
    _installed = True
