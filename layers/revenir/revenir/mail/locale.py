"""Money and dates in a guest's language for e-mails: the same Babel formatting as every guest page
(revenir.i18n.formats), kept under this name for the mail code's callers."""

from __future__ import annotations

from revenir.i18n.formats import format_date, format_money

__all__ = ["format_date", "format_money"]
