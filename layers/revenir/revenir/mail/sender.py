"""The mail sender port and its SES v2 adapter (raw messages: our own MIME, our own headers)."""

from __future__ import annotations

from typing import Any, Protocol


class SESv2Client(Protocol):
    def send_email(self, **kwargs: Any) -> dict[str, Any]: ...


class Mailer(Protocol):
    def send(self, sender: str, recipient: str, raw: bytes) -> str: ...


class SesMailer:
    def __init__(self, client: SESv2Client, configuration_set: str | None = None):
        self._client = client
        self._configuration_set = configuration_set

    def send(self, sender: str, recipient: str, raw: bytes) -> str:
        kwargs: dict[str, Any] = {"FromEmailAddress": sender, "Destination": {"ToAddresses": [recipient]},
                                  "Content": {"Raw": {"Data": raw}}}
        if self._configuration_set:
            kwargs["ConfigurationSetName"] = self._configuration_set
        return str(self._client.send_email(**kwargs)["MessageId"])
