"""The layout's rules, checked on the import graph (docs/architecture.md, docs/decisions.md):

- arrows point down: handlers (functions/) -> capability services -> stores -> the table adapter;
- a capability's keys are private: only its own modules import `revenir.<capability>.keys`;
- the infrastructure packages (core, table, mail, http, i18n) import no capability;
- handlers build no keys and never talk to the table adapter themselves;
- the layer never imports boto3 (handlers create clients and inject them).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "revenir" / "revenir"
INFRASTRUCTURE = {"core", "table", "mail", "http", "i18n", "events"}
CAPABILITIES = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - INFRASTRUCTURE
ALLOWED_BELOW = {"core": {"core"}, "table": {"core", "table"}, "mail": {"core", "mail", "i18n"},
                 "http": {"core", "http"}, "i18n": {"core", "i18n"}, "events": {"core", "table", "events"}}


def imports(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def layer_modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) > 1:
            yield parts[0], path


def test_every_capability_is_a_package_with_a_store_or_rules() -> None:
    assert {"codes", "sales", "vouchers", "guests", "carts", "reviews", "properties", "guard"} <= CAPABILITIES
    assert not [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"], "no flat modules at the top"


def test_keys_are_private_to_their_capability() -> None:
    offenders = []
    for package, path in layer_modules():
        for name in imports(path):
            parts = name.split(".")
            if len(parts) >= 3 and parts[0] == "revenir" and parts[2] == "keys" and parts[1] != package:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    for path in sorted((ROOT / "functions").rglob("*.py")):
        offenders += [f"{path.relative_to(ROOT)} imports {n}" for n in imports(path)
                      if n.startswith("revenir.") and (n.endswith(".keys") or ".keys." in n)]
    assert offenders == []


def test_infrastructure_imports_no_capability() -> None:
    offenders = []
    for package, path in layer_modules():
        if package not in INFRASTRUCTURE:
            continue
        for name in imports(path):
            parts = name.split(".")
            if parts[0] == "revenir" and len(parts) > 1 and parts[1] not in ALLOWED_BELOW[package]:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_capabilities_never_import_the_http_layer_or_boto3() -> None:
    offenders = []
    for package, path in layer_modules():
        for name in imports(path):
            if name.split(".")[0] in {"boto3", "botocore"}:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
            if package in CAPABILITIES and name.startswith("revenir.http"):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_handlers_do_not_build_storage_requests() -> None:
    """Handlers call services and stores; they never use the table adapter or the raw client's item API."""
    offenders = []
    for path in sorted((ROOT / "functions").rglob("*.py")):
        text = path.read_text()
        offenders += [f"{path.relative_to(ROOT)} imports {n}" for n in imports(path) if n.startswith("revenir.table")]
        offenders += [f"{path.relative_to(ROOT)} calls {call}" for call in
                      ("batch_get_item(", "transact_write_items(", ".put_item(", ".update_item(", ".query(")
                      if call in text]
    assert offenders == []


def test_handlers_leave_time_ids_formats_and_pages_to_the_services() -> None:
    """Wiring only: reading the clock, making ids, building CSV/HTML/JSON documents and rendering mail are the
    capability services' work; pages are templates in the capability's package (`pages/*.html`)."""
    forbidden = {"revenir.core.clock", "revenir.core.ids", "revenir.core.pages", "revenir.mail.rendering", "csv",
                 "html", "json", "string"}
    # To move: the memberships service (issue 11) still takes `now` from its handler.
    pending = {"functions/identity/app.py"}
    offenders = []
    for path in sorted((ROOT / "functions").rglob("*.py")):
        if path.relative_to(ROOT).as_posix() in pending:
            continue
        offenders += [f"{path.relative_to(ROOT)} imports {n}" for n in imports(path)
                      if n in forbidden or n.startswith("revenir.core.clock.")]
        text = path.read_text().lower()
        offenders += [f"{path.relative_to(ROOT)} holds a page" for marker in ("<!doctype", "<html", "<style")
                      if marker in text]
    assert offenders == []
