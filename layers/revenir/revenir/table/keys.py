"""Every partition and sort key of the single table, in one place (see docs/data-model.md)."""

from __future__ import annotations


def property_pk(property_id: str) -> str:
    return f"PROPERTY#{property_id}"


PROPERTY_SK = "PROPERTY"


def offer_sk(offer_id: str) -> str:
    return f"OFFER#{offer_id}"


OFFER_PREFIX = "OFFER#"


# ---------------------------------------------------------------- promo codes
#: A code string may be scheduled for this many periods at once (non-overlapping windows).
CODE_SLOTS = 4


def code_pk(property_id: str, code: str) -> str:
    return f"PROPERTY#{property_id}#CODE#{code}"


def slot_sk(slot: int) -> str:
    return f"SLOT#{slot}"


def promo_archive_pk(property_id: str) -> str:
    return f"PROPERTY#{property_id}#PROMOARCHIVE"


def promo_list_pk(property_id: str) -> str:
    """GSI1 partition listing a property's promo codes (gsi1sk = promo id, time-ordered)."""
    return f"PROPERTY#{property_id}#PROMOS"


def promo_name_pk(property_id: str) -> str:
    return f"PROPERTY#{property_id}#PROMONAME"


def promo_sent_pk(property_id: str, promo_id: str) -> str:
    return f"PROPERTY#{property_id}#PROMOSENT#{promo_id}"


def redemption_pk(property_id: str, booking_id: str) -> str:
    return f"PROPERTY#{property_id}#BOOKING#{booking_id}"


REDEMPTION_SK = "PROMO_REDEMPTION"
#: GSI1 partition of promo-code holds, sorted by expiry: the sweeper reads only expired ones.
HOLDS_QUEUE = "QUEUE#PROMO_HOLDS"


def guest_pk(property_id: str, email: str) -> str:
    return f"PROPERTY#{property_id}#GUEST#{email}"


GUEST_STAYS_SK = "STAYS"


def guard_client_pk(property_id: str, client: str) -> str:
    return f"GUARD#{property_id}#CLIENT#{client}"


def guard_property_pk(property_id: str) -> str:
    return f"GUARD#{property_id}"


# ---------------------------------------------------------------- private sales and partner cards
def sale_pk(property_id: str, link_token: str) -> str:
    return f"PROPERTY#{property_id}#SALE#{link_token}"


def sale_code_pk(property_id: str, access_code: str) -> str:
    """A copy of the sale under its access code, so a typed code is found in the same BatchGetItem."""
    return f"PROPERTY#{property_id}#SALECODE#{access_code}"


SALE_SK = "SALE"


def sale_list_pk(property_id: str) -> str:
    return f"PROPERTY#{property_id}#SALES"


def partner_program_sk(program_id: str) -> str:
    return f"PARTNER#{program_id}"


PARTNER_PREFIX = "PARTNER#"


def card_pk(property_id: str, number: str) -> str:
    return f"PROPERTY#{property_id}#CARD#{number}"


CARD_SK = "CARD"


# ---------------------------------------------------------------- guests, bookings, lifecycle e-mails
BOOKING_SK = "BOOKING"


def arrivals_pk(property_id: str) -> str:
    """GSI1 partition of a property's bookings by arrival (gsi1sk = arrival#booking_id): the guest list."""
    return f"PROPERTY#{property_id}#ARRIVALS"


GUEST_PROFILE_SK = "PROFILE"


def guest_booking_sk(booking_id: str) -> str:
    return f"BOOKING#{booking_id}"


def message_sk(booking_id: str, template_id: str) -> str:
    return f"MSG#{booking_id}#{template_id}"


#: GSI1 partition of pending e-mails, sorted by send time: the dispatcher reads only what is due.
MAIL_QUEUE = "QUEUE#MAIL"


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


# ---------------------------------------------------------------- abandoned carts
def cart_pk(property_id: str, cart_id: str) -> str:
    return f"PROPERTY#{property_id}#CART#{cart_id}"


CART_SK = "CART"
CART_SETTINGS_SK = "CARTSETTINGS"


def cart_stats_pk(property_id: str) -> str:
    """One counter item per local day: started, reminded, recovered, recovered revenue per currency."""
    return f"PROPERTY#{property_id}#CARTSTATS"


def guest_link_sk(kind: str, ref: str) -> str:
    """A link in the guest's partition to a record kept elsewhere (CART, REDEMPTION): GDPR finds it there."""
    return f"LINK#{kind}#{ref}"
