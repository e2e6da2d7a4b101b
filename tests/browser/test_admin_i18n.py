"""The back-office's catalogs (web/admin/i18n/*.json): same keys in every language, every key the code uses,
the same placeholders, and a message for every value the API's enums can send."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN = ROOT / "web" / "admin"
LANGUAGES = ("fr", "en", "nl", "de")
CATALOGS = {lang: json.loads((ADMIN / "i18n" / f"{lang}.json").read_text()) for lang in LANGUAGES}
SOURCES = {path: path.read_text() for path in ADMIN.rglob("*.js") if "vendor" not in path.parts}
SCHEMAS = json.loads((ROOT / "functions" / "platform" / "openapi.json").read_text())["components"]["schemas"]


def enum(schema: str, field: str) -> list[str]:
    spec = SCHEMAS[schema]["properties"][field]
    for option in [spec, *spec.get("anyOf", [])]:
        if "enum" in option:
            return list(option["enum"])
    raise AssertionError(f"{schema}.{field} has no enum")


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_every_language_has_exactly_the_french_keys(lang: str) -> None:
    missing = sorted(set(CATALOGS["fr"]) - set(CATALOGS[lang]))
    extra = sorted(set(CATALOGS[lang]) - set(CATALOGS["fr"]))
    assert not missing and not extra, f"{lang}: missing {missing}, not in French {extra}"


def test_every_message_the_code_asks_for_exists() -> None:
    used = {key for text in SOURCES.values() for key in re.findall(r'\bt\("([A-Za-z0-9_.]+)"', text)}
    assert len(used) > 200
    assert not sorted(used - set(CATALOGS["fr"]))


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_placeholders_match_the_french_message(lang: str) -> None:
    def placeholders(text: str) -> set[str]:
        return set(re.findall(r"\{(\w+)\}", text))

    wrong = [key for key, text in CATALOGS["fr"].items() if placeholders(text) != placeholders(CATALOGS[lang][key])]
    assert not wrong, wrong


@pytest.mark.parametrize(("prefix", "values"), [
    ("voucher.", enum("Voucher", "status")),
    ("source.", enum("Voucher", "source")),
    ("vouchers.kind_", enum("GiftProductInput", "kind")),
    ("kind.", enum("MailTemplate", "kind")),
    ("mailCategory.", enum("MailTemplate", "category")),
    ("trigger.", enum("Trigger", "type")),
    ("booking.", enum("BookingInput", "status")),
    ("sales.status_", enum("PrivateSaleOut", "status")),
    ("sales.kind_", enum("PrivateSaleInput", "kind")),
    ("offer.", enum("OfferInput", "kind")),
    ("report.", enum("VoucherImportRowReport", "status")),
    ("rule.", list(SCHEMAS["SegmentRules"]["properties"])),
    ("source.", ["google", "booking", "airbnb", "direct"]),
    ("weekday.", [str(d) for d in range(1, 8)]),
    ("packages.status_", enum("PackageHolding", "status")),
    ("packages.source_", enum("PackageHolding", "source")),
    ("packages.unit_", enum("PackageInput", "unit")),
    ("packages.kind_", enum("PackageLedgerEntry", "kind")),
])
def test_every_value_the_api_sends_has_a_message(prefix: str, values: list[str]) -> None:
    for lang, catalog in CATALOGS.items():
        missing = [v for v in values if f"{prefix}{v}" not in catalog]
        assert not missing, f"{lang}: no message for {prefix}{missing}"


def test_french_is_the_default_and_the_page_declares_it() -> None:
    assert '<html lang="fr">' in (ADMIN / "index.html").read_text()
    assert 'return LANGUAGES.includes(stored) ? stored : "fr";' in SOURCES[ADMIN / "lib" / "i18n.js"]
