"""Promotional campaigns (issue 16, item 4): a host writes an e-mail per guest language, picks recipients among
the guest list by segment, tags and filters, previews the count, test-sends, schedules or sends now; each
consenting recipient gets it exactly once, through the SQS send queue (docs/campaigns.md)."""
