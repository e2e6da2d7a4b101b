"""E-mailing tools' API models: connecting a tool, its lists, the field mapping, the sync status."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Provider = Literal["brevo", "mailchimp", "mailjet"]
PROVIDERS: tuple[Provider, ...] = ("brevo", "mailchimp", "mailjet")

#: A field name at the tool: Brevo attributes (FIRSTNAME), Mailchimp merge tags (FNAME), Mailjet properties.
ToolField = str

#: Each tool's usual names for Revenir's fields (the host can change them).
DEFAULT_MAPPINGS: dict[str, dict[str, str]] = {
    "brevo": {"first_name": "FIRSTNAME", "last_name": "LASTNAME", "language": "LANGUAGE",
              "last_stay": "LAST_STAY", "stays": "STAYS"},
    "mailchimp": {"first_name": "FNAME", "last_name": "LNAME", "language": "LANGUAGE",
                  "last_stay": "LASTSTAY", "stays": "STAYS"},
    "mailjet": {"first_name": "firstname", "last_name": "lastname", "language": "language",
                "last_stay": "last_stay", "stays": "stays"},
}

_FIELD = Field(default=None, max_length=40, pattern=r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


class FieldMapping(BaseModel):
    """Revenir's field -> the tool's field; empty or absent: not sent. Segments are sent as tags (Mailchimp)
    or, where the tool has no tags, in the field named by `segments` (Brevo attribute, Mailjet property)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    first_name: ToolField | None = _FIELD
    last_name: ToolField | None = _FIELD
    language: ToolField | None = _FIELD
    last_stay: ToolField | None = _FIELD
    stays: ToolField | None = _FIELD
    segments: ToolField | None = Field(default=None, max_length=40, pattern=r"^[A-Za-z][A-Za-z0-9_]{0,39}$",
                                       description="Brevo/Mailjet: the field holding the segments (comma "
                                                   "separated); Mailchimp uses tags and ignores it.")


class ConnectInput(BaseModel):
    """The tool's credentials: kept in Secrets Manager, never returned (a hint of the key's last characters is)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    provider: Provider
    api_key: str = Field(min_length=8, max_length=200, pattern=r"^[\x21-\x7e]+$",
                         description="Brevo: xkeysib-…; Mailchimp: …-us21 (the suffix is the server prefix); "
                                     "Mailjet: the API key.")
    api_secret: str | None = Field(default=None, min_length=8, max_length=200, pattern=r"^[\x21-\x7e]+$",
                                   description="Mailjet only: the secret key.")
    server_prefix: str | None = Field(default=None, pattern=r"^[a-z]{2,4}[0-9]{1,3}$",
                                      description="Mailchimp only: us21 (read from the key's suffix if absent).")


class SettingsInput(BaseModel):
    """The list (audience) the guests go to, and the field mapping."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    list_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    mapping: FieldMapping | None = Field(default=None, description="Absent: the tool's defaults.")


class ToolList(BaseModel):
    list_id: str
    name: str
    members: int | None = None


class ToolLists(BaseModel):
    lists: list[ToolList]


class SyncStatus(BaseModel):
    last_sync_at: str | None = None
    sent: int = Field(default=0, description="Contacts added to the tool.")
    updated: int = Field(default=0, description="Contacts updated at the tool.")
    removed: int = Field(default=0, description="Contacts unsubscribed or deleted at the tool.")
    failed: int = Field(default=0, description="Contacts the tool refused or could not be reached for.")
    skipped: int = Field(default=0, description="Guests not sent: no consent, unsubscribed, suppressed, OTA relay.")
    last_error: str | None = None
    last_error_at: str | None = None
    resync: Literal["idle", "running", "done"] = "idle"
    resync_started_at: str | None = None
    resync_finished_at: str | None = None


class MailingTool(BaseModel):
    """The property's e-mailing tool as the back-office shows it (never the key: a hint). `connected` false:
    no tool yet (the other fields are empty)."""

    connected: bool = True
    provider: Provider | None = None
    key_hint: str | None = Field(default=None, description="The key's last four characters, e.g. …a1b2.")
    list_id: str | None = None
    list_name: str | None = None
    mapping: FieldMapping = Field(default_factory=FieldMapping)
    webhook_url: str | None = Field(default=None, description="Where to point the tool's unsubscribe/bounce "
                                                             "webhook (contains a secret: treat as such).")
    connected_at: str | None = None
    status: SyncStatus = Field(default_factory=SyncStatus)


class TestResult(BaseModel):
    ok: bool
    account: str | None = None
    error: str | None = None


class ResyncAccepted(BaseModel):
    resync: Literal["running"] = "running"
    started_at: str


class WebhookReport(BaseModel):
    """What the tool's webhook changed: guests unsubscribed, events ignored (unknown guest, already unsubscribed)."""

    unsubscribed: int = 0
    ignored: int = 0
