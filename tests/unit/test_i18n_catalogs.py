"""Every catalog of the localisation layer (revenir/i18n/catalogs/<lang>/<namespace>.json, the server's and the
browser components' alike) has the same keys in fr, en, nl and de, with the same placeholders: a key missing in
one language, or a `{name}` forgotten in a translation, fails here rather than in front of a guest."""

from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path

import pytest

from revenir.i18n import LANGUAGES, catalog, choose, placeholders, t

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "layers" / "revenir" / "revenir" / "i18n" / "catalogs"
FILES = sorted(CATALOGS.glob("*/*.json"))
NAMESPACES = sorted({f.stem for f in FILES})


def _load(lang: str, namespace: str) -> dict[str, object]:
    path = CATALOGS / lang / f"{namespace}.json"
    assert path.is_file(), f"{namespace}: no {lang} catalog ({path.relative_to(ROOT)})"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_catalogs_are_there_and_only_in_our_languages() -> None:
    assert {f.parent.name for f in FILES} == set(LANGUAGES)
    assert {"emails", "review_form", "unsubscribe", "voucher_page", "csv", "review_alert"} <= set(NAMESPACES)


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_key_is_in_every_language_with_the_same_placeholders(namespace: str) -> None:
    catalogs = {lang: _load(lang, namespace) for lang in LANGUAGES}
    reference = catalogs["en"]
    problems = []
    for lang, data in catalogs.items():
        problems += [f"{lang}: missing {k}" for k in sorted(set(reference) - set(data))]
        problems += [f"{lang}: extra {k} (not in en)" for k in sorted(set(data) - set(reference))]
        for key, value in data.items():
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{lang}: {key} is not a non-empty text")
            elif key in reference and placeholders(value) != placeholders(str(reference[key])):
                problems.append(f"{lang}: {key} has {sorted(placeholders(value))}, "
                                f"en has {sorted(placeholders(str(reference[key])))}")
    assert problems == []


def test_a_missing_placeholder_or_key_is_caught() -> None:
    """The checks above can fail: placeholders differ when one is renamed, Jinja's included."""
    assert placeholders("Votre avis sur {name}") != placeholders("Your review of {property}")
    assert placeholders("{{ property.name }}: x") != placeholders("{{ property.title }}: x")
    assert placeholders("{{property.name}}") == placeholders("{{ property.name }}")
    assert placeholders("{count} sur 5") == {"count"}


def test_t_fills_placeholders_leaves_jinja_alone_and_falls_back() -> None:
    assert t("fr", "review_form.title", name="Le Moulin") == "Le Moulin — votre avis"
    assert "{{ property.name }}" in t("de", "emails.lifecycle.thanks.subject")
    assert t("xx", "review_form.send") == catalog("en", "review_form")["send"]  # unknown language: English
    assert t("fr", "review_form.no_such_key") == "review_form.no_such_key"
    assert choose(None, "de-AT", "fr") == "de" and choose("pt", 7, None) == "en" and choose(None, default="fr") == "fr"


def test_the_catalogs_are_package_data() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["revenir"]
    files = [f.relative_to(CATALOGS.parents[1]).as_posix() for f in FILES]
    assert [f for f in files if not any(fnmatch.fnmatch(f, p) for p in patterns)] == []


@pytest.mark.parametrize(("language", "ten", "twelve_and_a_half"), [
    ("fr", "10\u00a0%", "12,5\u00a0%"), ("de", "10\u00a0%", "12,5\u00a0%"),
    ("en", "10%", "12.5%"), ("nl", "10%", "12,5%"),
])
def test_percentages_follow_each_language_s_typography(language: str, ten: str, twelve_and_a_half: str) -> None:
    """A percent discount in a guest's e-mail: '-10 %' reads wrong in English and Dutch (CLDR, through Babel)."""
    from revenir.i18n.formats import format_percent

    assert format_percent(10, language) == ten
    assert format_percent(12.5, language) == twelve_and_a_half
