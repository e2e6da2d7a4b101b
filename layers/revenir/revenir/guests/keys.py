"""Keys of guests, bookings, lifecycle e-mails, templates and segments (docs/data-model.md). Private to
revenir.guests."""

from __future__ import annotations

from revenir.table.partitions import booking_pk, guest_link_sk, guest_pk, property_pk

__all__ = ["BOOKING_SK", "GUEST_PROFILE_SK", "GUEST_STAYS_SK", "MAIL_QUEUE", "SEGMENT_PREFIX", "SUPPRESSION_SK",
           "TEMPLATE_PREFIX", "arrivals_pk", "booking_pk", "bounce_sk", "event_sk", "guest_booking_sk", "guest_link_sk",
           "guest_pk", "message_sk", "property_pk", "segment_sk", "suppression_pk", "template_sk"]

#: The booking itself, in the booking's partition (revenir.table.partitions.booking_pk).
BOOKING_SK = "BOOKING"


def arrivals_pk(property_id: str) -> str:
    """GSI1 partition of a property's bookings by arrival (gsi1sk = arrival#booking_id): the guest list."""
    return f"PROPERTY#{property_id}#ARRIVALS"


GUEST_PROFILE_SK = "PROFILE"
#: The bookings a guest has stayed (first-stay rules of promo codes read it through revenir.guests.store).
GUEST_STAYS_SK = "STAYS"


def guest_booking_sk(booking_id: str) -> str:
    return f"BOOKING#{booking_id}"


def message_sk(booking_id: str, template_id: str) -> str:
    return f"MSG#{booking_id}#{template_id}"


#: The queue of pending e-mails (gsi1, sharded by property: revenir.table.queues), sorted by send time: the
#: dispatcher reads only what is due.
MAIL_QUEUE = "MAIL"


def event_sk(at: str, suffix: str) -> str:
    return f"EVENT#{at}#{suffix}"


def template_sk(template_id: str) -> str:
    return f"MAILTEMPLATE#{template_id}"


TEMPLATE_PREFIX = "MAILTEMPLATE#"


def segment_sk(segment_id: str) -> str:
    return f"SEGMENT#{segment_id}"


SEGMENT_PREFIX = "SEGMENT#"


def suppression_pk(email: str) -> str:
    """An address SES reported as bounced or complaining: suppressed for every property."""
    return f"SUPPRESSED#{email}"


SUPPRESSION_SK = "SUPPRESSED"


BOUNCE_PREFIX = "BOUNCE#"
COMPLAINT_PREFIX = "COMPLAINT#"


def bounce_sk(message_id: str) -> str:
    """A bounce counted on the dashboard, in the guest's partition: SES redelivering the event counts nothing."""
    return f"{BOUNCE_PREFIX}{message_id}"


def complaint_sk(message_id: str) -> str:
    """A complaint about one of the property's messages, in the guest's partition (the e-mailing tool hears of
    it through the stream, as of a bounce)."""
    return f"{COMPLAINT_PREFIX}{message_id}"


def mail_problems_pk(property_id: str) -> str:
    """A property's mail problems (issue 12, item 17): one item per reason, apart from the property's
    partition so reading the property context never reads them."""
    return f"PROPERTY#{property_id}#MAILPROBLEMS"


def mail_problem_sk(reason: str) -> str:
    return f"REASON#{reason}"


MAIL_PROBLEM_PREFIX = "REASON#"
