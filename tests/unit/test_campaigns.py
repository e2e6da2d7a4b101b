"""Campaigns' rules without AWS: who may receive a promotional e-mail, audiences, per-recipient codes, and the
pacing that keeps concurrent consumers under the SES account's rate."""

from __future__ import annotations

import re
from typing import Any

import pytest

from revenir.campaigns.audience import marketing_exclusion, select
from revenir.campaigns.models import Audience
from revenir.campaigns.sending import recipient_code
from revenir.guests.segments import Segment
from revenir.mail.pacing import COOL_OFF, FALLBACK_RATE, PacedMailer, Pacer, SendRate
from revenir.mail.sender import SendError

CONSENT = {"marketing_consent": True}


@pytest.mark.parametrize(("email", "profile", "suppressed", "reason"), [
    ("anna@example.com", CONSENT, None, None),
    ("anna@example.com", {}, None, "no_marketing_consent"),
    ("anna@example.com", None, None, "no_marketing_consent"),
    ("anna@example.com", {**CONSENT, "unsubscribed": True}, None, "unsubscribed"),
    ("anna@example.com", CONSENT, {"reason": "bounced"}, "address_bounced"),
    ("anna@example.com", CONSENT, {"reason": "complained"}, "address_complained"),
    ("x1@guest.booking.com", CONSENT, None, "ota_relay_address"),
    ("h3@guest.airbnb.com", CONSENT, None, "ota_relay_address"),
    ("erased-1f2e@invalid", CONSENT, None, "erased"),
])
def test_marketing_rules(email: str, profile: Any, suppressed: Any, reason: str | None) -> None:
    assert marketing_exclusion(email, profile, suppressed) == reason


class Guests:
    """The guests capability's reads a selection uses (revenir.guests.store.GuestRepository's public methods)."""

    def __init__(self, bookings: list[dict[str, Any]], profiles: dict[str, dict[str, Any]],
                 segments: list[Segment]):
        self._bookings, self._profiles, self._segments = bookings, profiles, segments
        self.reads: list[str] = []

    def bookings_by_arrival(self, property_id: str, arrival_from: str, arrival_to: str) -> list[dict[str, Any]]:
        self.reads.append(f"arrivals {arrival_from}..{arrival_to}")
        return [b for b in self._bookings if arrival_from <= b["arrival"] <= arrival_to + "#"]

    def profiles(self, property_id: str, emails: list[str]) -> dict[str, dict[str, Any]]:
        return {e: {"profile": self._profiles.get(e), "suppressed": None} for e in emails}

    def segments(self, property_id: str) -> list[Segment]:
        return self._segments


def booking(n: int, email: str, arrival: str = "2026-06-01", channel: str = "direct", **extra: Any) -> dict[str, Any]:
    return {"booking_id": f"B-{n}", "property_id": "p", "email": email, "first_name": "F", "last_name": "L",
            "arrival": arrival, "departure": arrival[:8] + "09", "adults": 2, "children": 0, "offer_ids": [],
            "channel": channel, "status": "checked_out", "tags": [], "rate_includes": [],
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", **extra}


def test_audiences_by_segment_tags_language_and_repeat_stays() -> None:
    bookings = [booking(1, "a@example.com"), booking(2, "a@example.com", "2025-06-01"),
                booking(3, "b@example.com", language="fr"), booking(4, "c@example.com", channel="booking.com"),
                booking(5, "d@example.com")]
    profiles: dict[str, dict[str, Any]] = {"a@example.com": {**CONSENT, "tags": ["vip"], "language": "nl"},
                "b@example.com": {**CONSENT, "language": "fr"}, "c@example.com": CONSENT,
                "d@example.com": {"language": "en"}}
    segments = [Segment.model_validate({"segment_id": "direct", "name": "Direct", "rules": {"channel": ["direct"]}})]
    guests = Guests(bookings, profiles, segments)
    everyone = select(guests, "p", Audience())  # type: ignore[arg-type]
    assert [r["email"] for r in everyone.recipients] == ["a@example.com", "b@example.com", "c@example.com"]
    assert (everyone.guests, dict(everyone.excluded)) == (4, {"no_marketing_consent": 1})
    direct = select(guests, "p", Audience(segments=["direct"]))  # type: ignore[arg-type]
    assert [r["email"] for r in direct.recipients] == ["a@example.com", "b@example.com"]
    not_direct = select(guests, "p", Audience(exclude_segments=["direct"]))  # type: ignore[arg-type]
    assert [r["email"] for r in not_direct.recipients] == ["c@example.com"]
    assert [r["email"] for r in select(guests, "p", Audience(tags=["vip"])).recipients] == [  # type: ignore[arg-type]
        "a@example.com"]
    french = select(guests, "p", Audience(languages=["fr"]))  # type: ignore[arg-type]
    assert [(r["email"], r["language"]) for r in french.recipients] == [("b@example.com", "fr")]
    repeat = select(guests, "p", Audience(repeat_guests_only=True))  # type: ignore[arg-type]
    assert [r["email"] for r in repeat.recipients] == ["a@example.com"]
    window = select(guests, "p", Audience.model_validate({"stayed_from": "2026-01-01"}))  # type: ignore[arg-type]
    assert guests.reads[-1] == "arrivals 2026-01-01..9999" and window.guests == 4


def test_per_recipient_codes_are_unguessable_and_readable() -> None:
    codes = {recipient_code("retour 10%") for _ in range(500)}
    assert len(codes) == 500
    assert all(re.fullmatch(r"RETOUR10-[A-HJ-NP-Z2-9]{8}", c) for c in codes)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_n_consumers_at_rate_over_n_never_exceed_the_account_rate() -> None:
    time = FakeTime()
    rate = 14.0
    consumers = [Pacer(lambda: rate, 1 / 5, clock=time.clock, sleep=time.sleep) for _ in range(5)]
    sends: list[float] = []
    # round-robin: each consumer sends as soon as its own bucket lets it (the fake clock only moves on sleeps)
    for _ in range(200):
        for pacer in consumers:
            pacer.acquire()
            sends.append(time.now)
    sends.sort()
    for start in range(len(sends)):  # any one-second window holds at most rate sends plus each bucket's burst
        within = [s for s in sends[start:] if s < sends[start] + 1.0]
        assert len(within) <= rate + 5
    elapsed = sends[-1] - sends[0]
    assert 1000 / rate * 0.95 <= elapsed  # 1,000 sends at 14/s take at least ~71 s


def test_a_throttled_consumer_slows_down_then_recovers() -> None:
    time = FakeTime()
    pacer = Pacer(lambda: 10.0, 1.0, clock=time.clock, sleep=time.sleep)
    pacer.acquire()
    assert pacer.per_second() == 10.0
    pacer.throttled()
    assert pacer.per_second() == 5.0
    start = time.now
    for _ in range(10):
        pacer.acquire()
    assert time.now - start >= 10 / 5.0 - 0.01  # half speed, and the bucket was emptied
    time.now += COOL_OFF
    assert pacer.per_second() == 10.0


def test_the_rate_is_read_from_ses_cached_and_safe_when_unreadable() -> None:
    time = FakeTime()

    class Account:
        def __init__(self) -> None:
            self.calls = 0
            self.fail = False

        def get_account(self) -> dict[str, Any]:
            self.calls += 1
            if self.fail:
                raise RuntimeError("unreachable")
            return {"SendQuota": {"MaxSendRate": 200.0, "Max24HourSend": 1e6}}

    account = Account()
    rate = SendRate(account, max_age=300, clock=time.clock)
    assert (rate(), rate(), account.calls) == (200.0, 200.0, 1)
    time.now += 301
    account.fail = True
    assert rate() == 200.0 and account.calls == 2  # the last known rate
    assert SendRate(account, clock=time.clock)() == FALLBACK_RATE  # never known: the safest one


def test_a_paced_mailer_tells_its_pacer_about_throttling_only() -> None:
    time = FakeTime()
    pacer = Pacer(lambda: 10.0, 1.0, clock=time.clock, sleep=time.sleep)

    class Ses:
        def __init__(self, error: SendError | None) -> None:
            self.error = error

        def send(self, sender: str, recipient: str, raw: bytes, tags: dict[str, str] | None = None) -> str:
            if self.error:
                raise self.error
            return "m-1"

    assert PacedMailer(Ses(None), pacer).send("a@x.example", "b@x.example", b"") == "m-1"
    with pytest.raises(SendError):
        PacedMailer(Ses(SendError("bad", code="MessageRejected", transient=False)), pacer).send("a", "b", b"")
    assert pacer.per_second() == 10.0
    with pytest.raises(SendError):
        PacedMailer(Ses(SendError("slow down", code="Throttling", transient=True)), pacer).send("a", "b", b"")
    assert pacer.per_second() == 5.0
