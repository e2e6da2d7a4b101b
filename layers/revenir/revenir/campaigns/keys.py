"""Keys of campaigns (docs/data-model.md, "Campaigns"). Private to revenir.campaigns."""

from __future__ import annotations

from revenir.table.partitions import guest_pk

__all__ = ["CAMPAIGN_QUEUE", "COUNTER_SHARDS", "campaign_sk", "campaigns_pk", "counter_sk", "figures_pk",
           "guest_pk", "recipient_sk"]


def campaigns_pk(property_id: str) -> str:
    """A property's campaigns (apart from the property's partition: reading its context never reads them)."""
    return f"PROPERTY#{property_id}#CAMPAIGNS"


def campaign_sk(campaign_id: str) -> str:
    return f"CAMPAIGN#{campaign_id}"


def recipient_sk(campaign_id: str) -> str:
    """A campaign's recipient, in the guest's partition (revenir.table.partitions.guest_pk): written once with a
    condition, its state moved by conditional writes; the guest's erasure finds it there."""
    return f"CAMPAIGN#{campaign_id}"


def figures_pk(property_id: str, campaign_id: str) -> str:
    """A campaign's counters, sharded (COUNTER_SHARDS items): 20,000 sends never hit one item."""
    return f"PROPERTY#{property_id}#CAMPAIGN#{campaign_id}#FIGURES"


#: Counter items per campaign. A send adds 1 to a random one: 16 x 1,000 writes per second of headroom.
COUNTER_SHARDS = 16


def counter_sk(shard: int) -> str:
    return f"SHARD#{shard:02d}"


#: Scheduled campaigns on gsi1 (revenir.table.queues), read by the dispatcher's tick when due.
CAMPAIGN_QUEUE = "CAMPAIGN"
