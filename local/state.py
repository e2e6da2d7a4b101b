"""What `make run` keeps across restarts, in .local-state/ (ignored by git).

Kept: every DynamoDB item of every table, the Secrets Manager values the emulator generated (guest links
signed with them stay valid), and the local clock's offset. Written on a clean shutdown and every
SNAPSHOT_SECONDS when something changed, atomically (a temporary file renamed over the last snapshot), so a
crash loses at most the last period. Not kept: Step Functions executions in flight, SES's sent messages
(the outbox), localstripe's objects, schedules' next fire times (recomputed from the template).
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from local.template import ACCOUNT, REGION, ROOT

STATE_DIR = Path(os.environ.get("REVENIR_STATE_DIR", str(ROOT / ".local-state")))
SNAPSHOT_SECONDS = 30.0
FORMAT = 1


def snapshot_file(state_dir: Path) -> Path:
    return state_dir / "snapshot.json"


def has_snapshot(state_dir: Path = STATE_DIR) -> bool:
    return snapshot_file(state_dir).is_file()


def _dynamodb() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][REGION]


def _runtime_secrets(template_secrets: dict[str, str]) -> dict[str, str]:
    """Secrets the functions created while running (an e-mailing tool's API key, docs/emailing-tools.md), by
    name: the template's own are kept apart, as before."""
    from moto.secretsmanager.models import secretsmanager_backends

    found: dict[str, str] = {}
    for name, secret in secretsmanager_backends[ACCOUNT][REGION].secrets.items():
        value = getattr(secret, "secret_string", None)  # a replica has none
        if name in template_secrets or getattr(secret, "deleted_date", None) or value is None:
            continue
        found[str(name)] = str(value)
    return found


def capture(secret_values: dict[str, str], clock_offset: float) -> dict[str, Any]:
    """Everything kept, read from the emulator's backends (call with the emulator lock held)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, table in _dynamodb().tables.items():
        tables[name] = [item.to_json()["Attributes"] for item in table.all_items()]
    return {"format": FORMAT, "saved_at": time.time(), "clock_offset": clock_offset,
            "secrets": secret_values, "runtime_secrets": _runtime_secrets(secret_values), "tables": tables}


def restore_runtime_secrets(state: dict[str, Any], client: Any) -> int:
    """Create again the secrets the functions had created (before IAM is enforced: this is the emulator's own
    setup). Returns how many."""
    restored = 0
    for name, value in (state.get("runtime_secrets") or {}).items():
        try:
            client.create_secret(Name=name, SecretString=value)
        except client.exceptions.ResourceExistsException:
            client.put_secret_value(SecretId=name, SecretString=value)
        restored += 1
    return restored


def _encode(value: Any) -> Any:
    """moto keeps binary attributes (B, BS) as bytes."""
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _decode(value: dict[str, Any]) -> Any:
    if len(value) == 1 and "__bytes__" in value:
        return base64.b64decode(value["__bytes__"])
    return value


def write(state: dict[str, Any], state_dir: Path = STATE_DIR) -> Path:
    state_dir.mkdir(parents=True, exist_ok=True)
    target = snapshot_file(state_dir)
    temporary = target.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        json.dump(state, out, separators=(",", ":"), default=_encode)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)
    return target


def read(state_dir: Path = STATE_DIR) -> dict[str, Any] | None:
    path = snapshot_file(state_dir)
    if not path.is_file():
        return None
    state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
    if state.get("format") != FORMAT:
        raise RuntimeError(f"{path} has format {state.get('format')}, expected {FORMAT}: start with FRESH=1")
    return state


def restore_tables(state: dict[str, Any]) -> int:
    """Put every saved item back into the (already created) tables. Returns the number of items."""
    backend = _dynamodb()
    count = 0
    for name, items in state.get("tables", {}).items():
        table = backend.tables.get(name)
        if table is None:  # a table the template no longer declares
            print(f"warning: {len(items)} saved items of table {name} skipped: the template has no such table")
            continue
        refused = 0
        for attrs in items:
            try:
                table.put_item(attrs)
                count += 1
            except Exception:  # the table's key schema changed since the snapshot
                refused += 1
        if refused:
            print(f"warning: {refused} saved items of table {name} no longer fit its key schema: skipped")
    return count


def clear(state_dir: Path = STATE_DIR) -> None:
    for path in (snapshot_file(state_dir), snapshot_file(state_dir).with_suffix(".tmp")):
        path.unlink(missing_ok=True)


class Snapshotter:
    """Writes a snapshot every `period` seconds when the emulator saw writes, and once more on stop()."""

    def __init__(self, take: Any, changes: Any, period: float = SNAPSHOT_SECONDS, state_dir: Path = STATE_DIR):
        self.take, self.changes, self.period, self.state_dir = take, changes, period, state_dir
        self._saved_at_change = -1
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="local-state", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def save(self, force: bool = False) -> bool:
        with self._lock:
            changes = self.changes()
            if not force and changes == self._saved_at_change:
                return False
            write(self.take(), self.state_dir)
            self._saved_at_change = changes
            return True

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            try:
                self.save()
            except Exception as exc:  # a full disk must not stop the server; say it
                print(f"state snapshot failed: {exc}", flush=True)

    def stop(self) -> None:
        self._stop.set()
        self.save(force=True)
