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


#: The guest pages' look (review form, unsubscribe page, printable voucher): the widget's design tokens as CSS
#: custom properties, so a host's stylesheet can override them as it does for the web components.
GUEST_STYLE = Html(""":root{--revenir-accent:#2f6b4f;--revenir-text:#1f2a24;--revenir-muted:#5b6660;
--revenir-border:#d5dcd7;--revenir-surface:#ffffff;--revenir-good:#1f6b3a;--revenir-bad:#a3261b;--revenir-radius:12px;
--revenir-page:#f3f5f4;--revenir-soft:#eef3f0;
--revenir-font:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--revenir-page);color:var(--revenir-text);font:16px/1.5 var(--revenir-font)}
main{max-width:40rem;margin:0 auto;padding:1rem}
.card{background:var(--revenir-surface);border:1px solid var(--revenir-border);border-radius:var(--revenir-radius);
padding:1.25rem;overflow-wrap:anywhere}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem}
.muted{color:var(--revenir-muted)}.good{color:var(--revenir-good)}.bad{color:var(--revenir-bad)}
button{font:inherit;font-weight:600;background:var(--revenir-accent);color:#fff;border:0;
border-radius:calc(var(--revenir-radius) - 4px);padding:.7rem 1.2rem;min-height:44px;cursor:pointer}
button[disabled]{opacity:.6;cursor:progress}
:focus-visible{outline:3px solid var(--revenir-accent);outline-offset:2px}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);
white-space:nowrap;border:0}""")

__all__ = ["GUEST_STYLE", "Html", "render"]
