"""Helpers for the back-office browser tests (tests/browser/test_admin_*.py): sign-in, axe-core, screenshots."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
#: `make screenshots` sets this: the tests then refresh the host's guide's pictures (docs/screenshots/).
SCREENSHOTS = os.environ.get("REVENIR_SCREENSHOTS")

#: How long a screen may take to load: several API calls, each possibly a cold start on a busy machine.
LOAD_MS = 20_000

#: Every screen of the back-office: route (after #) -> what its <h1> says in French.
SCREENS: dict[str, str] = {
    "/": "Tableau de bord",
    "/codes": "Codes promo",
    "/codes/new": "Nouveau code promo",
    "/sales": "Ventes privées et partenaires",
    "/vouchers": "Chèques cadeaux",
    "/vouchers/new": "Nouveau produit cadeau",
    "/guests": "Clients",
    "/guests/new": "Ajouter un client",
    "/guests/martin.dupont%40example.com": "Martin Dupont",
    "/emails": "E-mails",
    "/emails/thanks": "Remerciements",
    "/reviews": "Avis",
    "/settings": "Paramètres",
    "/mailing": "Mon outil d'e-mailing",
}


def sign_in(page: Any, runtime: Any, route: str = "/", lang: str | None = None) -> None:
    """The one-click local sign-in link, then the route; waits for the screen's heading."""
    query = f"?lang={lang}" if lang else ""
    refused: list[str] = []  # what the API refused, to tell an expired session from a bug when a test fails
    page.on("response", lambda r: refused.append(f"{r.request.method} {r.url}") if r.status == 401 else None)
    page.refused = refused
    page.goto(f"/admin/{query}#token={runtime.token}")
    expect(page.locator("main h1")).to_be_visible(timeout=LOAD_MS)
    if route != "/":
        open_screen(page, route)


def open_screen(page: Any, route: str) -> None:
    """Follows a link to `route` (a hash change, as the menu does) and waits until the new screen has loaded."""
    page.evaluate("""route => {
        if (location.hash === '#' + route || (route === '/' && location.hash === '')) return;
        document.querySelector('main > *')?.setAttribute('data-leaving', '');
        location.hash = '#' + route;
    }""", route)
    try:
        expect(page.locator("main > :not([data-leaving]) h1")).to_be_visible(timeout=LOAD_MS)
    except AssertionError as error:
        raise AssertionError(f"{route} did not open; requests refused with 401: {getattr(page, 'refused', [])}") \
            from error
    expect(page.locator("main .loading")).to_have_count(0, timeout=LOAD_MS)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core (pinned in the Makefile) on the whole page; the violations, summarised."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make axe` (npm install of the pinned axe-core)")
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary) }));
    }""")
    return list(result)


def screenshot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        target = ROOT / SCREENSHOTS
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"))


def call(runtime: Any, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{runtime.url}{path}", data=data, method=method, headers={
        "Authorization": f"Bearer {runtime.token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=15) as response:
        text = response.read()
        return json.loads(text) if text else None


def shown(text: str) -> str:
    """Browser text with no-break and narrow no-break spaces made plain."""
    return text.replace("\u202f", " ").replace("\u00a0", " ").strip()
