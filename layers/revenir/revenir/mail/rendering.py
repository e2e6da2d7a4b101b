"""Host-editable templates rendered in Jinja2's sandbox: a template can never reach Python internals, and it
renders within a budget, so one host's template can never stall the dispatcher for every other property.

Variables are plain data (dicts, strings, numbers) built by the caller; filters `money` and `date`
localise to the message's language.

The budget (issue 12, item 2; docs/api.md "Input limits"), per render of a message (subject, HTML and text):
MAX_OUTPUT_CHARACTERS of output, MAX_ITERATIONS items drawn from `range()` over the whole render, and
MAX_RENDER_SECONDS of the rendering thread's CPU time, checked at every loop step, call, attribute access and
output chunk. CPU time, not wall-clock time: the budget prices what the template costs, so a busy machine (another
process, another thread, a pause) never fails an ordinary template; a sandboxed template cannot wait on anything, so
its cost is all CPU (decision log).
Over budget is a 400 `template_over_budget` naming the limit: at save and preview (the host sees it at once)
and, at send time, an error on that one message (the dispatcher records it and goes on with the tick).
"""

from __future__ import annotations

import operator
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jinja2 import ChainableUndefined, StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from revenir.core.errors import InvalidInput
from revenir.i18n.formats import format_date, format_money
from revenir.mail.content import MailContent, RenderedMail

MAX_OUTPUT_CHARACTERS = 200_000  # subject + HTML + text of one message
MAX_ITERATIONS = 10_000
MAX_RENDER_SECONDS = 1.0
MAX_POWER_EXPONENT = 64

_clock = time.thread_time  # the CPU seconds this thread has used (see the module's docstring)


class OverBudget(InvalidInput):
    code = "template_over_budget"

    def __init__(self, limit: str, maximum: float):
        super().__init__(f"the template goes over its rendering budget: {limit} (at most {maximum:g})",
                         details=[{"field": "body", "limit": limit, "max": maximum}])


@dataclass
class Budget:
    deadline: float
    iterations: int = 0
    output: int = 0
    errors: list[OverBudget] = field(default_factory=list)

    def tick(self) -> None:
        if _clock() > self.deadline:
            raise OverBudget("render_seconds", MAX_RENDER_SECONDS)

    def add_output(self, size: int) -> None:
        self.output += size
        if self.output > MAX_OUTPUT_CHARACTERS:
            raise OverBudget("output_characters", MAX_OUTPUT_CHARACTERS)


_budget: ContextVar[Budget | None] = ContextVar("revenir_render_budget", default=None)


def _current() -> Budget:
    budget = _budget.get()
    if budget is None:  # rendering outside `render`/`check`: a budget of its own
        budget = Budget(deadline=_clock() + MAX_RENDER_SECONDS)
        _budget.set(budget)
    return budget


def _counted_range(*args: int) -> Iterator[int]:
    budget = _current()
    for value in range(*args):
        budget.iterations += 1
        if budget.iterations > MAX_ITERATIONS:
            raise OverBudget("loop_iterations", MAX_ITERATIONS)
        budget.tick()
        yield value


def _bounded_size(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_OUTPUT_CHARACTERS:
        raise OverBudget("output_characters", MAX_OUTPUT_CHARACTERS)
    return value


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with every loop, call, attribute access and product checked against the budget."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        _current().tick()
        if operator_name == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_POWER_EXPONENT:
                raise OverBudget("power_exponent", MAX_POWER_EXPONENT)
            return operator.pow(left, right)
        for sequence, count in ((left, right), (right, left)):
            if (isinstance(sequence, (str, list, tuple)) and isinstance(count, int)
                    and len(sequence) * max(count, 0) > MAX_OUTPUT_CHARACTERS):
                raise OverBudget("output_characters", MAX_OUTPUT_CHARACTERS)
        return _bounded_size(operator.mul(left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _current().tick()
        return _bounded_size(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        _current().tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _current().tick()
        return super().getitem(obj, argument)


def _configure(env: BudgetedSandbox, language: str) -> BudgetedSandbox:
    env.globals["range"] = _counted_range
    env.filters["money"] = lambda m: format_money(int(m["amount"]), str(m["currency"]), language)
    env.filters["date"] = lambda d: format_date(d, language)
    return env


@cache
def environment(language: str) -> BudgetedSandbox:
    return _configure(BudgetedSandbox(autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                                      lstrip_blocks=True), language)


@cache
def text_environment(language: str) -> BudgetedSandbox:
    return _configure(BudgetedSandbox(undefined=StrictUndefined, autoescape=False), language)


@cache
def _lenient_environment() -> BudgetedSandbox:
    """For the trial render at save: unknown variables are empty, only the budget and syntax matter."""
    return _configure(BudgetedSandbox(undefined=ChainableUndefined, autoescape=True), "en")


def _render_part(template: Template, variables: dict[str, Any], budget: Budget) -> str:
    chunks = []
    for chunk in template.generate(variables):
        budget.add_output(len(chunk))
        budget.tick()
        chunks.append(chunk)
    return "".join(chunks)


def render(content: MailContent, variables: dict[str, Any], language: str) -> RenderedMail:
    """Render subject, HTML (autoescaped) and text within the budget. A template error is the host's: a 400."""
    env, text_env = environment(language), text_environment(language)
    budget = Budget(deadline=_clock() + MAX_RENDER_SECONDS)
    token = _budget.set(budget)
    try:
        return RenderedMail(
            subject=_render_part(text_env.from_string(content.subject), variables, budget).strip(),
            html=_render_part(env.from_string(content.html), variables, budget),
            text=_render_part(text_env.from_string(content.text), variables, budget),
        )
    except TemplateError as exc:
        raise InvalidInput(f"the template cannot be rendered: {exc}", code="template_error") from exc
    except (RecursionError, MemoryError, OverflowError) as exc:  # a recursive macro, a huge number
        raise OverBudget("recursion_or_size", MAX_OUTPUT_CHARACTERS) from exc
    finally:
        _budget.reset(token)


def check(content: MailContent) -> None:
    """Before saving a host's template: its syntax, and a trial render (unknown variables empty) within budget.

    A template that loops or grows past the budget with any data is refused now (400 naming the limit), not
    when the dispatcher meets it.
    """
    env = environment("en")
    for part in (content.subject, content.html, content.text):
        try:
            env.parse(part)
        except TemplateError as exc:
            raise InvalidInput(f"template syntax error: {exc}", code="template_error") from exc
    lenient = _lenient_environment()
    budget = Budget(deadline=_clock() + MAX_RENDER_SECONDS)
    token = _budget.set(budget)
    try:
        for part in (content.subject, content.html, content.text):
            try:
                _render_part(lenient.from_string(part), {}, budget)
            except OverBudget:
                raise
            except (RecursionError, MemoryError, OverflowError) as exc:
                raise OverBudget("recursion_or_size", MAX_OUTPUT_CHARACTERS) from exc
            except Exception:  # noqa: S112 - data-dependent errors (a filter on an empty value) show at preview
                continue
    finally:
        _budget.reset(token)
