"""Host-editable templates rendered in Jinja2's sandbox: a template can never reach Python internals.

Variables are plain data (dicts, strings, numbers) built by the caller; filters `money` and `date`
localise to the message's language.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from revenir.core.errors import InvalidInput
from revenir.mail.content import MailContent, RenderedMail
from revenir.mail.locale import format_date, format_money


@cache
def environment(language: str) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                                        lstrip_blocks=True)
    env.filters["money"] = lambda m: format_money(int(m["amount"]), str(m["currency"]), language)
    env.filters["date"] = lambda d: format_date(d, language)
    return env


def render(content: MailContent, variables: dict[str, Any], language: str) -> RenderedMail:
    """Render subject, HTML (autoescaped) and text. A template error is the host's input: a 400."""
    env = environment(language)
    text_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    text_env.filters.update(env.filters)
    try:
        return RenderedMail(
            subject=text_env.from_string(content.subject).render(variables).strip(),
            html=env.from_string(content.html).render(variables),
            text=text_env.from_string(content.text).render(variables),
        )
    except TemplateError as exc:
        raise InvalidInput(f"the template cannot be rendered: {exc}", code="template_error") from exc


def check(content: MailContent) -> None:
    """Parse a host's template before saving it (syntax only; variables are checked at preview)."""
    env = environment("en")
    for part in (content.subject, content.html, content.text):
        try:
            env.parse(part)
        except TemplateError as exc:
            raise InvalidInput(f"template syntax error: {exc}", code="template_error") from exc
