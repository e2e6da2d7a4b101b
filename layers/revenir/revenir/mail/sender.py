"""The mail sender port and its SES v2 adapter (raw messages: our own MIME, our own headers)."""

from __future__ import annotations

from typing import Any, Protocol


class SendError(Exception):
    """A send that failed. `transient`: worth retrying later (throttling, outage)."""

    def __init__(self, message: str, *, code: str, transient: bool):
        super().__init__(message)
        self.code = code
        self.transient = transient


# How SES v2 refusals are classified (issue 12, item 17; docs/decisions.md 69):
# - transient, retried (3 times in the tick, then on later ticks with backoff, then recorded as a problem):
#   throttling and sending quotas (Throttling, ThrottlingException, TooManyRequestsException,
#   LimitExceededException), SES outages (ServiceUnavailable*, InternalFailure, InternalServiceError,
#   RequestTimeout), a paused account or configuration set (SendingPausedException: lifted by the operator),
#   and network errors (no response at all);
# - permanent, never retried, recorded as the property's mail problem at once: every other code, notably
#   MessageRejected (content or recipient refused), MailFromDomainNotVerifiedException and
#   NotFoundException / BadRequestException (unverified sender identity or configuration set, bad address),
#   AccountSuspendedException, AccessDeniedException (the function may not send from that address).
_TRANSIENT = {"Throttling", "ThrottlingException", "TooManyRequestsException", "LimitExceededException",
              "ServiceUnavailable", "ServiceUnavailableException", "InternalFailure", "InternalServiceError",
              "RequestTimeout", "SendingPausedException"}


TRANSIENT_CODES = frozenset(_TRANSIENT)


def classify(error: Exception) -> SendError:
    """Map an SDK error to a SendError without importing botocore (codes are strings)."""
    response = getattr(error, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", "")) or type(error).__name__
    network = type(error).__name__ in {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                                       "ConnectionClosedError"}
    return SendError(str(error), code=code, transient=network or code in _TRANSIENT)


#: The SES message tag naming the property a message was sent for (SES's bounce events carry it back).
PROPERTY_TAG = "revenir-property"
#: The SES message tag naming the campaign a message belongs to (its bounces and complaints are counted there).
CAMPAIGN_TAG = "revenir-campaign"


class SESv2Client(Protocol):
    def send_email(self, **kwargs: Any) -> dict[str, Any]: ...


class Mailer(Protocol):
    def send(self, sender: str, recipient: str, raw: bytes, tags: dict[str, str] | None = None) -> str: ...


class SesMailer:
    def __init__(self, client: SESv2Client, configuration_set: str | None = None):
        self._client = client
        self._configuration_set = configuration_set

    def send(self, sender: str, recipient: str, raw: bytes, tags: dict[str, str] | None = None) -> str:
        """`tags` become SES message tags: SES's bounce and complaint events carry them back."""
        kwargs: dict[str, Any] = {"FromEmailAddress": sender, "Destination": {"ToAddresses": [recipient]},
                                  "Content": {"Raw": {"Data": raw}}}
        if tags:
            kwargs["EmailTags"] = [{"Name": name, "Value": value} for name, value in tags.items()]
        if self._configuration_set:
            kwargs["ConfigurationSetName"] = self._configuration_set
        try:
            return str(self._client.send_email(**kwargs)["MessageId"])
        except Exception as exc:
            raise classify(exc) from exc
