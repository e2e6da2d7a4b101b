"""The demo's guests over HTTP: advancing the local clock makes the pre-stay e-mail appear in the outbox."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Runtime


def mails_to(runtime: Runtime, address: str) -> list[dict[str, object]]:
    _, mails = runtime.call("GET", "/_local/outbox.json")
    return [m for m in mails if address in (m.get("to") or [])]


@pytest.mark.e2e
def test_advancing_the_clock_sends_the_pre_stay_email(runtime: Runtime) -> None:
    # Anna arrives in 9 days: her "booking and practical information" e-mail is due 7 days before, at 10:00
    assert mails_to(runtime, "anna.devries@example.com") == []
    _, advanced = runtime.call("POST", "/_local/clock/advance?seconds=259200")  # three days
    assert "MailFunctionEveryMinute" not in advanced["fired"]
    assert "MailDispatchFunctionEveryMinute" in advanced["fired"]
    # the tick handed the due e-mail to the send queue: its consumer sends it (docs/campaigns.md)
    status, drained = runtime.call("POST", "/_local/event-sources/drain?timeout=60")
    assert status == 200 and drained["drained"], drained
    mails = mails_to(runtime, "anna.devries@example.com")
    # the property's name starts the subject: no article or preposition glued to it (issue 15)
    assert [m["subject"] for m in mails] == ["Le Moulin d'en haut — gîtes et chambres d'hôte: uw reservering en "
                                              "praktische informatie"]
    _, page = runtime.call("GET", "/_local/outbox")
    assert "Beste Anna" in page
