"""Keys of the e-mailing tools' items (docs/emailing-tools.md). Private to revenir.mailing."""

from __future__ import annotations

from revenir.table.partitions import guest_pk

__all__ = ["CONNECTION_SK", "STATUS_SK", "SYNCED_SK", "guest_pk", "mailing_pk"]


def mailing_pk(property_id: str) -> str:
    """The property's e-mailing tool: its connection and its sync status (apart from the property's partition,
    so reading the property context never reads them)."""
    return f"PROPERTY#{property_id}#MAILING"


CONNECTION_SK = "CONNECTION"
STATUS_SK = "STATUS"
#: In the guest's partition: what was last sent to the tool for this guest (a digest), so an unchanged guest
#: is not sent again and the GDPR erasure of the partition takes it along.
SYNCED_SK = "MAILING#SYNCED"
