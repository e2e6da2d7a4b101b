"""Partition and sort keys of reviews in the single table (docs/data-model.md, "Reviews").

Private to revenir.reviews; the prefixes (REVIEW#, REVIEWS,
REVIEWMETA, REVIEWSOURCE#, QUEUE#REVIEW_ALERTS) do not collide with the other concepts'.
"""

from __future__ import annotations


def review_pk(property_id: str, review_id: str) -> str:
    """A review's partition: the review item and, when one was due, its alert."""
    return f"PROPERTY#{property_id}#REVIEW#{review_id}"


REVIEW_SK = "REVIEW"
ALERT_SK = "ALERT"


def reviews_list_pk(property_id: str) -> str:
    """GSI1 partition listing a property's reviews by date (gsi1sk = created_at#review_id)."""
    return f"PROPERTY#{property_id}#REVIEWS"


def reviews_list_sk(created_at: str, review_id: str) -> str:
    return f"{created_at}#{review_id}"


def review_meta_pk(property_id: str) -> str:
    """The property's review settings and aggregate counters: one Query reads both."""
    return f"PROPERTY#{property_id}#REVIEWMETA"


STATS_SK = "STATS"
SETTINGS_SK = "SETTINGS"

#: GSI1 partition of the properties with a Google location configured (gsi1sk = property id): the schedule's list.
GOOGLE_SOURCES = "REVIEWSOURCE#GOOGLE"
#: GSI1 partition of the host alerts waiting to be sent (gsi1sk = due instant#property#review).
ALERT_QUEUE = "REVIEW_ALERTS"  # queue name (gsi1, sharded by property: revenir.table.queues)
