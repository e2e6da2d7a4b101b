"""A mail's texts before and after rendering (no jinja2 here: importing the models costs nothing)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MailContent:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    html: str
    text: str
