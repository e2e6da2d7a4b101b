"""The e-mailing tools' use cases: connect a tool, pick its list and map the fields, test it, read the status
(the API); keep the tool in step with the guests (the stream consumer), resync a whole property page by page
(the queue consumer), and take the tool's unsubscribes and bounces back (its webhook).

Every push is an upsert keyed by the e-mail address, so a retried record or a repeated resync changes nothing; a
per-guest digest (`MAILING#SYNCED` in the guest's partition) skips guests the tool already has as they are."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from revenir.core import clock
from revenir.core.errors import Conflict, InvalidInput, NotFound, RevenirError
from revenir.core.signing import Signer
from revenir.guests.bookings import Booking
from revenir.guests.lifecycle import LifecycleService
from revenir.guests.segments import matches
from revenir.guests.store import GuestRepository
from revenir.mailing import rules
from revenir.mailing.connectors import Connector, Credentials, ToolError, connector
from revenir.mailing.models import (
    DEFAULT_MAPPINGS,
    ConnectInput,
    FieldMapping,
    MailingTool,
    SettingsInput,
    SyncStatus,
    TestResult,
    ToolLists,
)
from revenir.mailing.store import COUNTERS, MailingRepository, MissingKey, SecretVault
from revenir.table.dynamodb import Item

WEBHOOK_PURPOSE = "mailing-webhook"
#: Mailchimp's data centre (the API host is <prefix>.api.mailchimp.com): never anything else in a host name.
SERVER_PREFIX = re.compile(r"[a-z]{2,4}[0-9]{1,3}")
PAGE = 100


class ToolUnavailable(RevenirError):
    """The e-mailing tool could not be reached or failed (its 5xx): try again later."""

    status = 502
    code = "mailing_tool_unavailable"


def _api_error(exc: ToolError) -> RevenirError:
    if exc.unauthorized:
        return InvalidInput(f"{exc.provider} refused the key", code="mailing_key_refused",
                            details=[{"field": "api_key", "message": str(exc)}])
    if 400 <= exc.status < 500:
        return InvalidInput(f"{exc.provider} refused the request: {exc}", code="mailing_tool_refused")
    return ToolUnavailable(f"{exc.provider} is unavailable: {exc}")


def webhook_token(signer: Signer, property_id: str, provider: str) -> str:
    return signer.sign(WEBHOOK_PURPOSE, property_id, provider)


@dataclass
class _Tool:
    """A connected property, for one batch: its connection, connector and segments (read once per batch)."""

    connection: Item
    connector: Connector
    segments: list[Any] | None = None
    counts: dict[str, int] = field(default_factory=dict)


class MailingService:
    def __init__(self, repository: MailingRepository, guests: GuestRepository, vault: SecretVault | None,
                 bases: Mapping[str, str | None], *, make_connector: Callable[..., Connector] = connector,
                 enqueue: Callable[[dict[str, Any]], None] | None = None):
        self.repository = repository
        self.guests = guests
        self.vault = vault
        self.bases = bases
        self.make_connector = make_connector
        self.enqueue = enqueue
        self._tools: dict[str, _Tool | None] = {}

    # ------------------------------------------------------------------ the host's API
    def view(self, property_id: str, webhook_url: Callable[[str, str], str] | None = None) -> MailingTool:
        connection, status = self.repository.connection_and_status(property_id)
        if connection is None:
            return MailingTool(connected=False)
        return self._view(property_id, connection, status, webhook_url)

    @staticmethod
    def _view(property_id: str, connection: Item, status: Item | None,
              webhook_url: Callable[[str, str], str] | None) -> MailingTool:
        status_fields = {k: v for k, v in (status or {}).items() if k in SyncStatus.model_fields}
        return MailingTool(
            provider=connection["provider"], key_hint=connection["key_hint"], list_id=connection.get("list_id"),
            list_name=connection.get("list_name"), mapping=FieldMapping.model_validate(connection.get("mapping") or {}),
            webhook_url=webhook_url(property_id, connection["provider"]) if webhook_url else None,
            connected_at=connection["connected_at"], status=SyncStatus.model_validate(status_fields))

    def connect(self, property_id: str, body: ConnectInput, webhook_url: Callable[[str, str], str] | None = None
                ) -> MailingTool:
        if body.provider == "mailjet" and not body.api_secret:
            raise InvalidInput("Mailjet needs the API key and its secret key", code="invalid_request",
                               details=[{"field": "api_secret", "message": "required for mailjet"}])
        prefix = None
        if body.provider == "mailchimp":
            prefix = body.server_prefix or body.api_key.rpartition("-")[2]
            if not SERVER_PREFIX.fullmatch(prefix):
                raise InvalidInput("Mailchimp's server prefix (e.g. us21) is the key's suffix", code="invalid_request",
                                   details=[{"field": "server_prefix",
                                             "message": "required when the key does not end with -us21 or alike"}])
        credentials = Credentials(api_key=body.api_key, api_secret=body.api_secret if body.provider == "mailjet"
                                  else None, server_prefix=prefix)
        try:
            account = self.make_connector(body.provider, credentials, self.bases).account()
        except ToolError as exc:
            raise _api_error(exc) from exc
        if self.vault is None:  # pragma: no cover - the API function always has one
            raise RuntimeError("no secret vault")
        previous = self.repository.connection(property_id)
        secret_name = self.vault.put(property_id, body.provider, credentials.to_secret())
        if previous and previous["provider"] != body.provider:
            self.vault.delete(property_id, previous["provider"])
        now = clock.iso(clock.now())
        same_tool = bool(previous and previous["provider"] == body.provider)
        kept: dict[str, Any] = {k: previous[k] for k in ("list_id", "list_name", "mapping")
                                if previous and same_tool and k in previous}
        connection = {"provider": body.provider, "secret_name": secret_name, "key_hint": "…" + body.api_key[-4:],
                      "account": account[:200], "mapping": dict(DEFAULT_MAPPINGS[body.provider]), "connected_at": now,
                      **kept}  # a new key for the same tool keeps its list, mapping and figures
        self.repository.save_connection(property_id, connection, new_status=not same_tool)
        return self.view(property_id, webhook_url)

    def disconnect(self, property_id: str) -> None:
        connection = self.repository.connection(property_id)
        if connection is None:
            raise NotFound("no e-mailing tool is connected", code="mailing_tool_not_connected")
        if self.vault is not None:
            self.vault.delete(property_id, connection["provider"])
        self.repository.delete_connection(property_id)

    def _connected(self, property_id: str) -> tuple[Item, Connector]:
        connection = self.repository.connection(property_id)
        if connection is None:
            raise NotFound("no e-mailing tool is connected", code="mailing_tool_not_connected")
        return connection, self._connector(connection)

    def _connector(self, connection: Item) -> Connector:
        if self.vault is None:  # pragma: no cover
            raise RuntimeError("no secret vault")
        try:
            credentials = Credentials.from_secret(self.vault.get(connection["secret_name"]))
        except MissingKey as exc:
            raise Conflict("the tool's key is gone: connect the tool again", code="mailing_key_missing") from exc
        return self.make_connector(connection["provider"], credentials, self.bases)

    def lists(self, property_id: str) -> ToolLists:
        _, tool = self._connected(property_id)
        try:
            return ToolLists(lists=tool.lists())
        except ToolError as exc:
            raise _api_error(exc) from exc

    def configure(self, property_id: str, body: SettingsInput,
                  webhook_url: Callable[[str, str], str] | None = None) -> MailingTool:
        connection, tool = self._connected(property_id)
        try:
            found = {t.list_id: t for t in tool.lists()}
        except ToolError as exc:
            raise _api_error(exc) from exc
        if body.list_id not in found:
            raise InvalidInput(f"{connection['provider']} has no list {body.list_id!r}", code="mailing_list_not_found",
                               details=[{"field": "list_id", "message": "not one of the tool's lists"}])
        mapping = (body.mapping.model_dump(mode="json") if body.mapping is not None
                   else dict(DEFAULT_MAPPINGS[connection["provider"]]))
        if not self.repository.update_connection(property_id, {"list_id": body.list_id,
                                                               "list_name": found[body.list_id].name[:200],
                                                               "mapping": mapping}):
            raise NotFound("no e-mailing tool is connected", code="mailing_tool_not_connected")
        return self.view(property_id, webhook_url)

    def test(self, property_id: str) -> TestResult:
        _, tool = self._connected(property_id)
        try:
            return TestResult(ok=True, account=tool.account()[:200])
        except ToolError as exc:
            return TestResult(ok=False, error=str(exc))

    def start_resync(self, property_id: str) -> str:
        connection = self.repository.connection(property_id)
        if connection is None:
            raise NotFound("no e-mailing tool is connected", code="mailing_tool_not_connected")
        if not connection.get("list_id"):
            raise Conflict("pick the tool's list first", code="mailing_list_not_chosen")
        if self.enqueue is None:  # pragma: no cover
            raise RuntimeError("no resync queue")
        self.repository.count(property_id, {}, resync="running")
        self.enqueue({"property_id": property_id, "cursor": None, "force": True})
        return clock.iso(clock.now())

    # ------------------------------------------------------------------ the sync (stream and queue consumers)
    def begin_batch(self) -> None:
        self._tools = {}

    def end_batch(self) -> None:
        """One status update per property touched by the batch."""
        for property_id, tool in self._tools.items():
            if tool is not None and any(tool.counts.values()):
                self.repository.count(property_id, tool.counts)
        self._tools = {}

    def _tool(self, property_id: str) -> _Tool | None:
        """The property's tool for this batch; None when none is connected, no list is chosen, or the key is gone
        (said once in the status: records are not retried for a key only the host can give back)."""
        if property_id not in self._tools:
            connection = self.repository.connection(property_id)
            tool = None
            if connection and connection.get("list_id"):
                try:
                    tool = _Tool(connection, self._connector(connection))
                except Conflict as exc:
                    self.repository.count(property_id, {}, exc.message)
            self._tools[property_id] = tool
        return self._tools[property_id]

    def _add(self, tool: _Tool, name: str, n: int = 1) -> None:
        tool.counts[name] = tool.counts.get(name, 0) + n

    def _fail(self, property_id: str, tool: _Tool, exc: ToolError) -> None:
        """Counted at once, with the error: the record is reported failed and retried, the host sees why."""
        self.repository.count(property_id, {"failed": 1}, str(exc))

    def changed(self, event_name: str, property_id: str, email: str, kind: str) -> str:
        """A stream record of a guest's profile or stays: push, unsubscribe or delete at the tool."""
        tool = self._tool(property_id)
        if tool is None:
            return "not_connected"
        try:
            if event_name == "REMOVE" and kind == "profile":  # erasure, or the host removed the guest
                tool.connector.delete(tool.connection["list_id"], email)
                self._add(tool, "removed")
                return "deleted"
            return self._sync_guest(property_id, tool, email, force=False)
        except ToolError as exc:
            self._fail(property_id, tool, exc)
            raise

    def segments_changed(self, property_id: str) -> str:
        """A segment was created, changed or deleted: every guest's tags may change, resync the property."""
        tool = self._tool(property_id)
        if tool is None or self.enqueue is None:
            return "not_connected"
        self.repository.count(property_id, {}, resync="running")
        self.enqueue({"property_id": property_id, "cursor": None, "force": False})
        return "resync"

    def resync_page(self, property_id: str, cursor: dict[str, Any] | None, force: bool) -> dict[str, Any] | None:
        """One page of the property's guest list pushed to the tool; the next page is queued (or the resync is
        done). A failing guest fails the page (the queue retries it; upserts make the retry harmless)."""
        tool = self._tool(property_id)
        if tool is None:
            return None
        emails, next_cursor = self.guests.guest_emails_page(property_id, cursor, PAGE)
        found = self.guests.profiles(property_id, emails)
        try:
            for email in emails:
                if rules.exclusion(email, found[email]["profile"], found[email]["suppressed"]) == "not_a_guest":
                    continue
                self._sync_guest(property_id, tool, email, force=force, suppressed=found[email]["suppressed"],
                                 checked=True)
        except ToolError as exc:
            self._fail(property_id, tool, exc)
            raise
        if next_cursor is not None and self.enqueue is not None:
            self.enqueue({"property_id": property_id, "cursor": next_cursor, "force": force})
        else:
            self.repository.count(property_id, tool.counts, resync="done")
            tool.counts = {}
        return next_cursor

    def _sync_guest(self, property_id: str, tool: _Tool, email: str, *, force: bool,
                    suppressed: Item | None = None, checked: bool = False) -> str:
        record = self.guests.guest(property_id, email)
        profile = record.profile
        if profile is None:
            return "no_guest"
        if not checked:
            suppressed = self.guests.suppressed(email)
        list_id = tool.connection["list_id"]
        marker = self.repository.synced_of(record.items)
        at_tool = bool(marker and marker.get("state") == "subscribed" and marker.get("list_id") == list_id)
        reason = rules.exclusion(email, profile, suppressed)
        if reason is not None:
            if at_tool:
                tool.connector.unsubscribe(list_id, email)
                self.repository.mark_synced(property_id, email, {"state": "removed", "list_id": list_id,
                                                                 "reason": reason, "at": clock.iso(clock.now())})
                self._add(tool, "removed")
                return "unsubscribed"
            self._add(tool, "skipped")
            return reason
        stays = [i for i in record.items if "departure" in i and "booking_id" in i]
        contact = rules.contact(email, profile, tool.connection.get("mapping") or {}, stays=len(record.booking_ids),
                                last_stay_day=rules.last_stay(stays, record.booking_ids,
                                                              clock.now().date().isoformat()),
                                segments=self._segment_names(property_id, tool, profile, stays, record.booking_ids))
        digest = contact.digest()
        if at_tool and marker and marker.get("digest") == digest and not force:
            return "unchanged"
        previous_tags = tuple(marker.get("tags") or ()) if at_tool and marker else ()
        segments_field = (tool.connection.get("mapping") or {}).get("segments")
        tool.connector.upsert(list_id, contact, previous_tags, segments_field)
        self.repository.mark_synced(property_id, email, {"state": "subscribed", "list_id": list_id, "digest": digest,
                                                         "tags": list(contact.tags), "at": clock.iso(clock.now())})
        self._add(tool, "updated" if at_tool else "sent")
        return "updated" if at_tool else "sent"

    def _segment_names(self, property_id: str, tool: _Tool, profile: Item, stays: list[Item],
                       booking_ids: set[str]) -> list[str]:
        """The segments the guest's latest stay belongs to (segments are rules over a booking and the guest)."""
        if tool.segments is None:
            tool.segments = self.guests.segments(property_id)
        if not tool.segments or not stays:
            return []
        latest = max(stays, key=lambda s: str(s.get("arrival") or ""))
        item = self.guests.get_booking(property_id, str(latest["booking_id"]))
        if item is None:
            return []
        try:
            booking = Booking.model_validate(item)
        except ValueError:
            return []
        tags = profile.get("tags") or []
        return [s.name for s in tool.segments if matches(s.rules, booking, len(booking_ids) > 1, tags)]

    # ------------------------------------------------------------------ the tool's webhook
    def webhook(self, signer: Signer, property_id: str, provider: str, token: str,
                events: list[tuple[str, str]]) -> dict[str, int]:
        """Unsubscribes and bounces reported by the tool: the guest is unsubscribed in Revenir (once)."""
        if not signer.verify(token, WEBHOOK_PURPOSE, property_id, provider):
            raise NotFound("no such webhook", code="route_not_found")
        connection = self.repository.connection(property_id)
        if connection is None or connection["provider"] != provider:
            raise NotFound("no such webhook", code="route_not_found")
        emails = list(dict.fromkeys(email for _, email in events))
        found = self.guests.profiles(property_id, emails) if emails else {}
        lifecycle = LifecycleService(self.guests)
        report = {"unsubscribed": 0, "ignored": 0}
        for email in emails:
            profile = found[email]["profile"]
            if profile is None or profile.get("unsubscribed"):
                report["ignored"] += 1
                continue
            lifecycle.unsubscribe(property_id, email, source=provider)
            report["unsubscribed"] += 1
        return report


__all__ = ["COUNTERS", "MailingService", "ToolUnavailable", "webhook_token"]
