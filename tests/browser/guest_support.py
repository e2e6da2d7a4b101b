"""Helpers for the guest-facing browser tests (demo page, widget, gift shop, reviews widget): the catalogs, the
text a guest sees (shadow DOM included), console errors, screenshots."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from tests.browser.admin_support import ROOT, SCREENSHOTS

CATALOGS = ROOT / "layers" / "revenir" / "revenir" / "i18n" / "catalogs"
LANGUAGES = ("fr", "en", "nl", "de")
NAMESPACES = ("widget", "gift_shop", "reviews_widget", "demo")


@cache
def catalog(lang: str) -> dict[str, str]:
    """{namespace.key: text} of the browser's namespaces in one language."""
    return {f"{ns}.{key}": text for ns in NAMESPACES
            for key, text in json.loads((CATALOGS / lang / f"{ns}.json").read_text(encoding="utf-8")).items()}


def fragments(text: str) -> list[str]:
    """The literal parts of a message, between its {placeholders}, that are long enough to be telling."""
    return [part.strip(" :.,()·—") for part in re.split(r"\{\w+\}", text) if len(part.strip(" :.,()·—")) >= 4]


@cache
def foreign_strings(lang: str) -> frozenset[str]:
    """Texts found in another language's catalog and nowhere in this language's (such a text on a page in `lang`
    is a string that was not translated)."""
    own = {fragment for text in catalog(lang).values() for fragment in fragments(text)}
    own_text = " \n ".join(catalog(lang).values())
    other = {fragment for other in LANGUAGES if other != lang for text in catalog(other).values()
             for fragment in fragments(text)}
    return frozenset(f for f in other - own if f not in own_text)


GUEST_TEXT = """(lang) => {
  const out = [document.title];
  const attributes = ['aria-label', 'placeholder', 'title', 'alt'];
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) { out.push(child.textContent); continue; }
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      if (['STYLE', 'SCRIPT', 'PRE', 'CODE', 'TEMPLATE'].includes(child.tagName)) continue;
      const own = child.getAttribute('lang');
      if (own && !own.toLowerCase().startsWith(lang)) continue;  // a reviewer's text, a language switch
      if (child.hidden || child.hasAttribute('data-user-content')) continue;  // what a reviewer wrote
      for (const name of attributes) if (child.hasAttribute(name)) out.push(child.getAttribute(name));
      if (child.shadowRoot) walk(child.shadowRoot);
      walk(child);
    }
  };
  walk(document.body);
  return out.join('\\n');
}"""


def guest_text(page: Any, lang: str) -> str:
    """Every text a guest can see or hear on the page (shadow roots included; not code samples, not text
    marked as another language)."""
    return str(page.evaluate(GUEST_TEXT, lang))


def untranslated(page: Any, lang: str) -> list[str]:
    """The other languages' catalog texts on the page."""
    text = guest_text(page, lang)
    return sorted(s for s in foreign_strings(lang) if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text))


def watch_console(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no horizontal scroll)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


def guest_screenshot(target: Any, name: str) -> None:
    """A page or element picture into docs/screenshots/ when `make screenshots` runs (REVENIR_SCREENSHOTS)."""
    if SCREENSHOTS:
        folder = ROOT / SCREENSHOTS
        folder.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(folder / f"{name}.png"))
