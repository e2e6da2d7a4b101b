"""The host's guide (docs/host-guide*.md), in English and French, shows existing pictures (made by the browser
tests, `make screenshots`) and covers every section of the back-office's menu."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDES = {"en": ROOT / "docs" / "host-guide.md", "fr": ROOT / "docs" / "host-guide.fr.md"}


@pytest.mark.parametrize("lang", GUIDES)
def test_the_guide_shows_existing_pictures_and_covers_every_menu_section(lang: str) -> None:
    text = GUIDES[lang].read_text()
    pictures = re.findall(r"\]\((screenshots/[^)]+\.png)\)", text)
    assert len(pictures) >= 12
    missing = [p for p in pictures if not (ROOT / "docs" / p).is_file()]
    assert not missing
    catalog = json.loads((ROOT / "web" / "admin" / "i18n" / f"{lang}.json").read_text())
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    for section in ("dashboard", "codes", "vouchers", "guests", "emails", "reviews", "settings"):
        assert catalog[f"nav.{section}"] in headings, section


def test_both_guides_have_the_same_sections_and_as_many_pictures() -> None:
    en, fr = (GUIDES[lang].read_text() for lang in ("en", "fr"))
    assert len(re.findall(r"^## ", en, flags=re.M)) == len(re.findall(r"^## ", fr, flags=re.M))
    assert len(re.findall(r"!\[", en)) == len(re.findall(r"!\[", fr))
