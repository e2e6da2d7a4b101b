"""Who may reach an e-mailing tool, what is sent, and what the tools' webhooks say (revenir.mailing)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from revenir.mailing import rules, webhooks
from revenir.mailing.connectors import Credentials, subscriber_hash
from revenir.mailing.models import DEFAULT_MAPPINGS

CONSENTING = {"email": "anna@example.com", "first_name": "Anna", "last_name": "Claes", "language": "nl",
              "marketing_consent": True}


def test_marketing_consent_is_required() -> None:
    assert rules.has_marketing_consent(CONSENTING)
    assert not rules.has_marketing_consent({**CONSENTING, "marketing_consent": False})
    assert not rules.has_marketing_consent({"email": "x@example.com"})
    assert not rules.has_marketing_consent({**CONSENTING, "marketing_consent": "yes"})  # only True is consent
    assert rules.exclusion("anna@example.com", {**CONSENTING, "marketing_consent": False}, None) == \
        "no_marketing_consent"


def test_an_unsubscribed_guest_is_never_sent() -> None:
    assert rules.is_unsubscribed({**CONSENTING, "unsubscribed": True})
    assert not rules.is_unsubscribed(CONSENTING)
    assert rules.exclusion("anna@example.com", {**CONSENTING, "unsubscribed": True}, None) == "unsubscribed"


def test_a_suppressed_address_is_never_sent() -> None:
    bounce = {"email": "anna@example.com", "reason": "bounce"}
    assert rules.is_suppressed(bounce) and not rules.is_suppressed(None)
    assert rules.exclusion("anna@example.com", CONSENTING, bounce) == "suppressed"


@pytest.mark.parametrize("email", ["x1@guest.booking.com", "a.b@guest.airbnb.com", "r@m.expediapartnercentral.com"])
def test_ota_relay_addresses_are_never_sent_even_with_consent(email: str) -> None:
    assert rules.is_relay_address(email)
    assert rules.exclusion(email, CONSENTING, None) == "ota_relay_address"


def test_a_consenting_guest_with_a_real_address_is_sent() -> None:
    assert not rules.is_relay_address("anna@booking.example.com")
    assert rules.exclusion("anna@example.com", CONSENTING, None) is None
    assert rules.exclusion("anna@example.com", None, None) == "not_a_guest"


def test_the_contact_carries_the_mapped_fields_and_segments_as_tags() -> None:
    contact = rules.contact("anna@example.com", CONSENTING, DEFAULT_MAPPINGS["mailchimp"], stays=3,
                            last_stay_day="2026-11-20", segments=["Familles", "Fidèles", ""])
    assert contact.fields == {"FNAME": "Anna", "LNAME": "Claes", "LANGUAGE": "nl", "LASTSTAY": "2026-11-20",
                              "STAYS": 3}
    assert contact.tags == ("Familles", "Fidèles")


def test_an_unmapped_or_empty_field_is_not_sent() -> None:
    mapping = {"first_name": "FIRSTNAME", "last_name": "", "language": "LANG"}
    contact = rules.contact("anna@example.com", {**CONSENTING, "language": None}, mapping, stays=1,
                            last_stay_day=None, segments=[])
    assert contact.fields == {"FIRSTNAME": "Anna"}


def test_the_digest_changes_with_what_the_tool_would_receive_only() -> None:
    one = rules.contact("a@example.com", CONSENTING, DEFAULT_MAPPINGS["brevo"], stays=1, last_stay_day=None,
                        segments=["b", "a"])
    same = rules.contact("a@example.com", CONSENTING, DEFAULT_MAPPINGS["brevo"], stays=1, last_stay_day=None,
                         segments=["a", "b"])
    more = rules.contact("a@example.com", CONSENTING, DEFAULT_MAPPINGS["brevo"], stays=2, last_stay_day=None,
                         segments=["a", "b"])
    assert one.digest() == same.digest() != more.digest()


def test_the_last_stay_is_the_latest_departure_of_a_stay_not_cancelled() -> None:
    links = [{"booking_id": "1", "departure": "2025-08-10", "status": "checked_out"},
             {"booking_id": "2", "departure": "2026-07-01", "status": "cancelled"},
             {"booking_id": "3", "departure": "2026-02-01", "status": "confirmed"},
             {"booking_id": "4", "departure": "2027-01-01", "status": "confirmed"}]
    assert rules.last_stay(links, {"1", "2", "3"}, "2026-12-02") == "2026-02-01"
    assert rules.last_stay(links, {"1", "2", "3", "4"}, "2026-12-02") == "2026-02-01"  # upcoming: not a stay yet
    assert rules.last_stay(links, {"1", "2", "3", "4"}, "2027-01-01") == "2027-01-01"
    assert rules.last_stay(links, set(), "2026-12-02") is None


def test_mailchimp_s_member_id_is_the_md5_of_the_lowercased_address() -> None:
    # Mailchimp's documented example scheme: md5 of the lowercase address
    assert subscriber_hash("Anna@Example.com") == subscriber_hash("anna@example.com")
    assert len(subscriber_hash("anna@example.com")) == 32


def test_credentials_round_trip_through_the_secret_without_empty_fields() -> None:
    credentials = Credentials(api_key="k-us21", server_prefix="us21")
    assert json.loads(credentials.to_secret()) == {"api_key": "k-us21", "server_prefix": "us21"}
    assert Credentials.from_secret(credentials.to_secret()) == credentials


def test_mailchimp_webhook_unsubscribe_and_cleaned_unsubscribe_other_types_do_not() -> None:
    for kind in ("unsubscribe", "cleaned"):
        body = urlencode({"type": kind, "data[email]": "Anna@Example.com", "data[list_id]": "a1"})
        assert webhooks.parse("mailchimp", body, "application/x-www-form-urlencoded") == [(kind, "anna@example.com")]
    body = urlencode({"type": "subscribe", "data[email]": "anna@example.com"})
    assert webhooks.parse("mailchimp", body, "application/x-www-form-urlencoded") == []


def test_brevo_webhook_events_single_or_batched() -> None:
    one = json.dumps({"event": "hard_bounce", "email": "anna@example.com"})
    batch = json.dumps([{"event": "unsubscribed", "email": "a@example.com"}, {"event": "opened", "email": "b@x.be"},
                        {"event": "spam", "email": "not-an-address"}])
    assert webhooks.parse("brevo", one, "application/json") == [("hard_bounce", "anna@example.com")]
    assert webhooks.parse("brevo", batch, "application/json") == [("unsubscribed", "a@example.com")]


def test_mailjet_webhook_counts_hard_bounces_only() -> None:
    body = json.dumps([{"event": "bounce", "email": "soft@example.com", "hard_bounce": False},
                       {"event": "bounce", "email": "hard@example.com", "hard_bounce": True},
                       {"event": "unsub", "email": "u@example.com"}, {"event": "open", "email": "o@example.com"}])
    assert webhooks.parse("mailjet", body, "application/json") == [("bounce", "hard@example.com"),
                                                                   ("unsub", "u@example.com")]


@pytest.mark.parametrize("body", ["[1, 2]", "not json", json.dumps([{"event": "unsub"}] * 1001)])
def test_a_body_that_is_not_the_tool_s_format_is_refused(body: str) -> None:
    with pytest.raises(ValueError):
        webhooks.parse("brevo", body, "application/json")


def test_the_stream_consumer_knows_a_guest_s_items_by_their_keys_only_through_the_guests_capability() -> None:
    from revenir.guests.store import guest_of_key, is_segment_key

    assert guest_of_key("PROPERTY#demo#GUEST#a.b+c@example.com", "PROFILE") == ("demo", "a.b+c@example.com", "profile")
    assert guest_of_key("PROPERTY#demo#GUEST#a@example.com", "STAYS") == ("demo", "a@example.com", "stays")
    assert guest_of_key("PROPERTY#demo#GUEST#a@example.com", "MSG#b1#thanks") is None
    assert guest_of_key("PROPERTY#demo#BOOKING#b1", "PROFILE") is None
    assert guest_of_key("SUPPRESSED#a@example.com", "PROFILE") is None
    assert is_segment_key("SEGMENT#families") and not is_segment_key("MAILTEMPLATE#thanks")
