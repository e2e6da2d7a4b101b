"""The browser's catalogs: web/i18n/messages.js is generated from the guest catalogs and must not be stale; the
browser's messages use the same placeholders in every language; recovery links carry the reminder's code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from local import web_i18n
from revenir.carts.reminders import recovery_link


def test_the_generated_browser_messages_match_the_catalogs() -> None:
    assert web_i18n.OUTPUT.read_text(encoding="utf-8") == web_i18n.render(), \
        "web/i18n/messages.js is stale: run `python -m local.web_i18n`"
    assert web_i18n.main(["--check"]) == 0


def test_the_check_fails_on_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "messages.js"
    stale.write_text(web_i18n.render().replace("Votre séjour", "Votre sejour"), encoding="utf-8")
    monkeypatch.setattr(web_i18n, "OUTPUT", stale)
    assert web_i18n.main(["--check"]) == 1


def test_every_language_has_the_same_keys_and_placeholders() -> None:
    messages = web_i18n.messages()
    for namespace in web_i18n.NAMESPACES:
        english = messages["en"][namespace]
        for lang in web_i18n.LANGUAGES:
            own = messages[lang][namespace]
            assert own.keys() == english.keys(), (lang, namespace, own.keys() ^ english.keys())
            for key, text in own.items():
                assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", english[key])), \
                    (lang, namespace, key)
                assert text.strip(), (lang, namespace, key)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://moulin.example/panier/C-1", "https://moulin.example/panier/C-1?revenir_code=RETOUR-AB12CD34"),
    ("http://127.0.0.1:3000/?cart=c1&lang=nl#booking",
     "http://127.0.0.1:3000/?cart=c1&lang=nl&revenir_code=RETOUR-AB12CD34#booking"),
    ("https://x.example/b?revenir_code=OLD&a=1", "https://x.example/b?a=1&revenir_code=RETOUR-AB12CD34"),
])
def test_a_recovery_link_carries_the_code_and_keeps_the_engines_url(url: str, expected: str) -> None:
    assert recovery_link(url, {"code": "RETOUR-AB12CD34"}) == expected


def test_a_reminder_without_a_code_keeps_the_url_as_given() -> None:
    assert recovery_link("https://x.example/b?a=1", None) == "https://x.example/b?a=1"
