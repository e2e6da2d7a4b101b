"""Small HTML pages shipped as package data (a capability's `pages/*.html`), without jinja2.

`string.Template` (`$name` placeholders, so CSS and JS braces need no escaping) and `html.escape` of every
substituted value, except `Html`: a fragment this module rendered itself (or a constant the caller marks).
Templates are read once per container. The guests and reviews functions use this to keep jinja2 off their
cold start (docs/decisions.md, 7).
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from string import Template


class Html(str):
    """Markup that is already safe: substituted as is."""

    __slots__ = ()


@cache
def _template(package: str, name: str) -> Template:
    return Template(resources.files(package).joinpath("pages", name).read_text(encoding="utf-8").removesuffix("\n"))


def render(package: str, page: str, /, **values: object) -> Html:
    """`<package>/pages/<page>` with every value escaped (an `Html` value is inserted as is). A placeholder
    without a value is an error (KeyError), never left in the page."""
    escaped = {k: v if isinstance(v, Html) else html.escape(str(v)) for k, v in values.items()}
    return Html(_template(package, page).substitute(escaped))


__all__ = ["Html", "render"]
