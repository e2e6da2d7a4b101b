"""Issue 12, item 17: mail SES refuses is classified, retried when transient, and surfaced to the host."""

from __future__ import annotations

from typing import Any

from revenir.core import clock
from revenir.mail.sender import SendError, SesMailer, classify
from tests.integration.test_guests_and_lifecycle_emails import admin, dispatch, local_day, put

__all__ = ["admin"]  # the fixture

URL = "/v1/admin/properties/demo/mail-problems"


def test_finding_17_ses_codes_are_classified() -> None:
    class ClientError(Exception):
        def __init__(self, code: str) -> None:
            super().__init__(code)
            self.response = {"Error": {"Code": code}}

    assert classify(ClientError("Throttling")).transient and classify(ClientError("SendingPausedException")).transient
    for code in ("MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException",
                 "NotFoundException", "AccessDeniedException"):
        assert not classify(ClientError(code)).transient, code


def test_finding_17_a_permanent_refusal_is_a_mail_problem_the_host_reads(api: Any, admin: dict[str, str],
                                                                          lambdas: Any, monkeypatch: Any) -> None:
    assert api.get(URL, headers=admin).json == {"property_id": "demo", "total": 0, "problems": []}
    calls = {"n": 0}

    def rejected(self: Any, sender: str, recipient: str, raw: bytes, tags: Any = None) -> str:
        calls["n"] += 1
        raise SendError("Email address is not verified.", code="MessageRejected", transient=False)

    monkeypatch.setattr(SesMailer, "send", rejected)
    put(api, admin, arrival=str(local_day(1)), departure=str(local_day(3)))
    report = dispatch(lambdas)
    assert report["failed"] == 2 and calls["n"] == 2  # permanent: one try each, no retry
    listed = api.get(URL, headers=admin)
    assert listed.status_code == 200
    assert listed.json["total"] == 2
    [problem] = listed.json["problems"]
    assert (problem["reason"], problem["kind"], problem["count"]) == ("MessageRejected", "sender", 2)
    assert "not verified" in problem["last_error"] and problem["last_email"] == "john@example.com"
    assert api.get("/v1/admin/properties/other/mail-problems", headers=admin).status_code == 403


def test_finding_17_transient_refusals_are_retried_with_backoff_then_surfaced(api: Any, admin: dict[str, str],
                                                                               lambdas: Any, monkeypatch: Any) -> None:
    def throttled(self: Any, sender: str, recipient: str, raw: bytes, tags: Any = None) -> str:
        raise SendError("Maximum sending rate exceeded", code="Throttling", transient=True)

    monkeypatch.setattr(SesMailer, "send", throttled)
    monkeypatch.setattr("time.sleep", lambda s: None)
    put(api, admin, arrival=str(local_day(1)), departure=str(local_day(3)))
    retried = []
    for _ in range(6):
        report = dispatch(lambdas)
        retried.append((report["retried"], report["failed"]))
        assert api.get(URL, headers=admin).json["total"] == sum(f for _, f in retried)
        clock.travel(4 * 3600)
    assert retried[:4] == [(2, 0)] * 4 and retried[4] == (0, 2)  # 5 attempts over later ticks, then given up
    [problem] = api.get(URL, headers=admin).json["problems"]
    assert (problem["reason"], problem["kind"], problem["count"]) == ("Throttling", "transient", 2)


def test_finding_17_a_template_over_budget_at_send_time_fails_that_message_only(api: Any, admin: dict[str, str],
                                                                                 lambdas: Any) -> None:
    base = api.get("/v1/admin/properties/demo/mail-templates/booking_info", headers=admin).json
    bomb = {k: base[k] for k in ("name", "kind", "trigger", "category")} | {"versions": {"en": {
        "subject": "Hi", "text": "x",
        "html": "{% for i in range(booking.nights * 100000) %}{{ i }}{% endfor %}"}}}  # empty at save: 0 items
    saved = api.put("/v1/admin/properties/demo/mail-templates/booking_info", json=bomb, headers=admin)
    assert saved.status_code == 200, saved.json
    put(api, admin, arrival=str(local_day(1)), departure=str(local_day(3)))
    report = dispatch(lambdas)
    assert report["failed"] == 1 and report["sent"] == 1  # the other message of the tick went
    [problem] = api.get(URL, headers=admin).json["problems"]
    assert (problem["reason"], problem["kind"], problem["last_template_id"]) == (
        "template_over_budget", "template", "booking_info")
