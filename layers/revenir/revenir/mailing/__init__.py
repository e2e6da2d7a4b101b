"""E-mailing tools (Brevo, Mailchimp, Mailjet): consenting guests synced both ways (docs/emailing-tools.md)."""
