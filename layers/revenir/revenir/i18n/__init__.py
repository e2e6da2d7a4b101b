"""The one localisation layer for everything a guest sees (and the host's alerts): catalogs per language and
namespace (`catalogs/<lang>/<namespace>.json`, flat dotted keys, `{name}` placeholders), the language choice
(the page's or guest's language, then the property's), and locale formatting (revenir.i18n.formats, Babel).

`t("fr", "review_form.title", name="Le Moulin")`: the namespace is the key's first segment. A key missing in
one language is a test failure (tests/unit/test_i18n_catalogs.py), never a runtime surprise; at run time a
missing key falls back to English, then to the key itself. Catalogs are read once per container (json only:
importing this costs nothing).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

LANGUAGES = ("fr", "en", "nl", "de")
FALLBACK = "en"
#: `{name}` placeholders; Jinja's `{{ name }}` (the e-mail defaults' texts) is left alone.
_PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)\}(?!\})")


@cache
def catalog(lang: str, namespace: str) -> dict[str, str]:
    """One catalog file ({} when the file does not exist)."""
    path = resources.files(__name__).joinpath("catalogs", lang, f"{namespace}.json")
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def choose(*candidates: object, default: str = FALLBACK) -> str:
    """The first candidate that is a language we speak (the page's `lang`, the guest's, the property's)."""
    for candidate in candidates:
        if isinstance(candidate, str):
            primary = candidate.strip().lower().replace("_", "-").split("-")[0]
            if primary in LANGUAGES:
                return primary
    return default


def has(lang: str, key: str) -> bool:
    namespace, _, rest = key.partition(".")
    return rest in catalog(lang, namespace)


def t(lang: str, key: str, /, **values: object) -> str:
    """The text of `key` in `lang` (English if the language lacks it), `{name}` placeholders filled."""
    namespace, _, rest = key.partition(".")
    text = catalog(lang, namespace).get(rest)
    if text is None:
        text = catalog(FALLBACK, namespace).get(rest, key)
    if not values:
        return text
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def placeholders(text: str) -> set[str]:
    """`{name}` and Jinja `{{ expression }}` placeholders of a catalog text (the parity test compares them)."""
    jinja = {" ".join(m.split()) for m in re.findall(r"\{\{(.*?)\}\}", text)}
    return set(_PLACEHOLDER.findall(text)) | {f"{{{{{j}}}}}" for j in jinja}


__all__ = ["LANGUAGES", "catalog", "choose", "has", "placeholders", "t"]
