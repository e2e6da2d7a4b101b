"""Generated sections of the docs, so they cannot drift from the code: the route tables of docs/api.md
(from template.yaml's routes and the OpenAPI document's summaries) and the folder map of the domain package
in docs/architecture.md (from the package's modules and their docstrings).

    python -m local.docs --write   # regenerate (make docs)
    python -m local.docs --check   # CI: fail when a generated section is stale
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

from local.template import ROOT, load

OPENAPI = ROOT / "functions" / "platform" / "openapi.json"
PACKAGE = ROOT / "layers" / "revenir" / "revenir"


def _capability(function: str) -> str:
    return function.removesuffix("Function")


def route_tables() -> str:
    """One table per function: method, path, who may call it, what it does (the OpenAPI summary)."""
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    template = load()
    by_function: dict[str, list[str]] = {}
    for route in sorted(template.routes, key=lambda r: (r.path, r.method)):
        operation = document["paths"].get(route.path, {}).get(route.method.lower(), {})
        summary = str(operation.get("summary", "")).replace("|", "\\|")
        caller = "token" if route.authorizer else "**anonymous**"
        row = f"| `{route.method}` | `{route.path}` | {caller} | {summary} |"
        by_function.setdefault(route.function, []).append(row)
    out = []
    for function in sorted(by_function):
        out += [f"### {_capability(function)} (`{function}`)", "", "| method | path | caller | what |",
                "| --- | --- | --- | --- |", *by_function[function], ""]
    anonymous = sorted(f"`{r.method} {r.path}`" for r in template.routes if not r.authorizer)
    out += ["### Anonymous routes", "", "Every other route needs a bearer token (401 without one; 403 when the "
            "token does not manage the path's property). These answer without a token:", "",
            *(f"- {a}" for a in anonymous), ""]
    return "\n".join(out)


def _docstring(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    first = doc.strip().split("\n\n")[0].replace("\n", " ")
    return re.sub(r"\s+", " ", first).replace("|", "\\|")


def package_map() -> str:
    """The domain package by capability: every module with the first paragraph of its docstring."""
    out = ["| module | what it holds |", "| --- | --- |"]
    for folder in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):
        for module in sorted(folder.rglob("*.py")):
            if module.name == "__init__.py":
                continue
            name = ".".join(module.relative_to(PACKAGE.parent).with_suffix("").parts)
            out.append(f"| `{name}` | {_docstring(module)} |")
    return "\n".join(out) + "\n"


SECTIONS = {
    ROOT / "docs" / "api.md": {"routes": route_tables},
    ROOT / "docs" / "architecture.md": {"package": package_map},
}


def render(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    for name, make in SECTIONS[path].items():
        start, end = f"<!-- generated:{name} (python -m local.docs --write) -->", f"<!-- end:{name} -->"
        if start not in text or end not in text:
            raise SystemExit(f"{path.relative_to(ROOT)} lacks the markers {start} … {end}")
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = f"{before}{start}\n{make()}{end}{after}"
    return text


PATH = re.compile(r"`((?:layers/revenir/)?revenir/[\w/]+\.py|functions/[\w/]+\.py|local/[\w/]+\.py|"
                  r"tests/[\w/]+\.py|bench/[\w/]+\.py|web/[\w/.-]+\.(?:js|html)|statemachines/[\w.]+\.json)`")


DOTTED = re.compile(r"`(revenir\.[a-z_]+(?:\.[a-z_]+)?)[.`(]")


def dangling_paths() -> list[str]:
    """Files the docs name in backticks that do not exist (a moved module leaves its docs behind)."""
    missing = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for found in PATH.findall(doc.read_text(encoding="utf-8")):
            path = ROOT / found if not found.startswith("revenir/") else ROOT / "layers" / "revenir" / found
            if not path.exists():
                missing.append(f"{doc.relative_to(ROOT)}: {found}")
        for dotted in DOTTED.findall(doc.read_text(encoding="utf-8")):
            parts = dotted.split(".")
            # revenir.<package>[.<module>[.<attribute>…]]: the package, and the module when it names one
            package = PACKAGE / parts[1]
            module_ok = len(parts) < 3 or (package / f"{parts[2]}.py").exists() or (package / parts[2]).is_dir()
            if not package.is_dir() or not module_ok:
                missing.append(f"{doc.relative_to(ROOT)}: {dotted}")
    return missing


def main() -> int:
    stale = []
    missing = dangling_paths()
    if missing:
        print("docs name files that do not exist:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 1
    for path in SECTIONS:
        fresh = render(path)
        if fresh != path.read_text(encoding="utf-8"):
            if "--write" in sys.argv:
                path.write_text(fresh, encoding="utf-8")
                print(f"wrote {path.relative_to(ROOT)}")
            else:
                stale.append(str(path.relative_to(ROOT)))
    if stale:
        print(f"stale generated docs: {', '.join(stale)}: run `make docs` and commit", file=sys.stderr)
        return 1
    print("generated docs are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
