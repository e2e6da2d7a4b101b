"""What each tool's webhook says, reduced to (event, e-mail) pairs that unsubscribe a guest in Revenir.

- Mailchimp (https://mailchimp.com/developer/marketing/guides/sync-audience-data-webhooks/): a form-encoded
  POST, `type=unsubscribe|cleaned` with `data[email]`; Mailchimp first checks the URL with a GET, answered 200.
- Brevo (marketing and transactional webhooks): JSON, one event or a list (batched), `event` in unsubscribed,
  hard_bounce / hardBounce, spam, blocked, with `email`.
- Mailjet (Event API): JSON, one event or a list, `event` in unsub, spam, blocked, bounce (hard bounces only).

The URL carries a per-property, per-tool HMAC token (revenir.mailing.service.webhook_token), the verification
each of the three allows (a secret in the URL; docs/emailing-tools.md).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from revenir.core.validation import normalize_email

BREVO_EVENTS = frozenset({"unsubscribed", "hard_bounce", "hardBounce", "spam", "blocked", "list_addition_unsub"})
MAILJET_EVENTS = frozenset({"unsub", "spam", "blocked"})
MAILCHIMP_TYPES = frozenset({"unsubscribe", "cleaned"})
MAX_EVENTS = 1000


def _email(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 254:
        return None
    try:
        return normalize_email(value)
    except ValueError:
        return None


def parse(provider: str, body: str, content_type: str) -> list[tuple[str, str]]:
    """(event, e-mail) of every event that must unsubscribe the guest; anything else is ignored. A body that is
    not the tool's format raises ValueError (a 400)."""
    out: list[tuple[str, str]] = []
    if provider == "mailchimp":
        form = dict(parse_qsl(body, keep_blank_values=True, max_num_fields=200))
        kind = form.get("type", "")
        email = _email(form.get("data[email]"))
        if kind in MAILCHIMP_TYPES and email:
            out.append((kind, email))
        return out
    data = json.loads(body) if body.strip() else []
    events = data if isinstance(data, list) else [data]
    if len(events) > MAX_EVENTS:
        raise ValueError("too many events")
    for event in events:
        if not isinstance(event, dict):
            raise ValueError("an event is not an object")
        kind = str(event.get("event", ""))
        email = _email(event.get("email"))
        if email is None:
            continue
        hard_bounce = kind == "bounce" and event.get("hard_bounce") is True
        wanted = BREVO_EVENTS if provider == "brevo" else MAILJET_EVENTS
        if kind in wanted or (provider == "mailjet" and hard_bounce):
            out.append((kind, email))
    return out
