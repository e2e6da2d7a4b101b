"""One connector per e-mailing tool, behind one port (`Connector`): test the key, list the lists, upsert a
contact (keyed by e-mail: idempotent), unsubscribe it, delete it (GDPR erasure).

- Brevo: the maintained SDK `brevo-python` (Fern-generated, httpx).
- Mailjet: the maintained SDK `mailjet-rest` (requests).
- Mailchimp: a small typed client over the documented Marketing API 3.0 (urllib): the SDK
  `mailchimp-marketing` has not been released since 2022 (docs/decisions.md).

Each SDK is imported inside its connector, never at module import: only the functions that reach a tool load it
(cold starts), and only the one tool a property uses. Base URLs come from configuration (BREVO_API_BASE,
MAILCHIMP_API_BASE, MAILJET_API_BASE: the production URLs in template.yaml, the local fakes in `make run` and
the tests). A tool's refusal becomes a `ToolError` with its HTTP status; "not found" on unsubscribe or delete is
success (the contact is already gone).
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from revenir.mailing.models import ToolList
from revenir.mailing.rules import Contact

TIMEOUT = 10.0

PRODUCTION_BASES = {"brevo": "https://api.brevo.com/v3", "mailchimp": "https://{dc}.api.mailchimp.com/3.0",
                    "mailjet": "https://api.mailjet.com/"}


class ToolError(Exception):
    """The tool refused (status 4xx) or failed (5xx, network: status 0)."""

    def __init__(self, provider: str, status: int, message: str):
        super().__init__(f"{provider}: {status} {message}"[:300])
        self.provider = provider
        self.status = status

    @property
    def unauthorized(self) -> bool:
        return self.status in (401, 403)


@dataclass(frozen=True)
class Credentials:
    api_key: str
    api_secret: str | None = None
    server_prefix: str | None = None

    def to_secret(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if v})

    @classmethod
    def from_secret(cls, value: str) -> Credentials:
        data = json.loads(value)
        return cls(api_key=data["api_key"], api_secret=data.get("api_secret"),
                   server_prefix=data.get("server_prefix"))


class Connector(Protocol):
    provider: str

    def account(self) -> str:
        """The account's name (tests the key)."""
        ...

    def lists(self) -> list[ToolList]: ...

    def upsert(self, list_id: str, contact: Contact, previous_tags: tuple[str, ...],
               segments_field: str | None) -> None:
        ...

    def unsubscribe(self, list_id: str, email: str) -> None: ...

    def delete(self, list_id: str, email: str) -> None: ...


def connector(provider: str, credentials: Credentials, bases: Mapping[str, str | None]) -> Connector:
    base = bases.get(provider) or PRODUCTION_BASES[provider]
    if provider == "brevo":
        return BrevoConnector(credentials, base)
    if provider == "mailchimp":
        return MailchimpConnector(credentials, base)
    if provider == "mailjet":
        return MailjetConnector(credentials, base)
    raise ValueError(provider)


def _fields_with_segments(contact: Contact, segments_field: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = dict(contact.fields)
    if segments_field:
        fields[segments_field] = ",".join(contact.tags)
    return fields


# ---------------------------------------------------------------- Brevo (brevo-python)
class BrevoConnector:
    provider = "brevo"

    def __init__(self, credentials: Credentials, base: str):
        from brevo import Brevo

        self._client = Brevo(api_key=credentials.api_key, base_url=base.rstrip("/"), timeout=TIMEOUT, max_retries=0)

    def _call(self, fn: Any, *args: Any, missing_ok: bool = False, **kwargs: Any) -> Any:
        from brevo.core.api_error import ApiError

        try:
            return fn(*args, **kwargs)
        except ApiError as exc:
            if missing_ok and exc.status_code == 404:
                return None
            raise ToolError(self.provider, int(exc.status_code or 0), _message(exc.body)) from exc
        except Exception as exc:  # network
            if type(exc).__module__.startswith("httpx"):
                raise ToolError(self.provider, 0, type(exc).__name__) from exc
            raise

    def account(self) -> str:
        answer = self._call(self._client.account.get_account)
        return str(getattr(answer, "company_name", None) or answer.email)

    def lists(self) -> list[ToolList]:
        out: list[ToolList] = []
        offset = 0
        while True:
            page = self._call(self._client.contacts.get_lists, limit=50, offset=offset)
            items = page.lists or []
            out += [ToolList(list_id=str(i.id), name=i.name, members=getattr(i, "unique_subscribers", None))
                    for i in items]
            offset += len(items)
            if len(items) < 50 or offset >= 1000:
                return out

    def upsert(self, list_id: str, contact: Contact, previous_tags: tuple[str, ...],
               segments_field: str | None) -> None:
        self._call(self._client.contacts.create_contact, email=contact.email,
                   attributes=_fields_with_segments(contact, segments_field), list_ids=[int(list_id)],
                   update_enabled=True)

    def unsubscribe(self, list_id: str, email: str) -> None:
        self._call(self._client.contacts.update_contact, email, email_blacklisted=True, missing_ok=True)

    def delete(self, list_id: str, email: str) -> None:
        self._call(self._client.contacts.delete_contact, email, missing_ok=True)


# ---------------------------------------------------------------- Mailchimp (Marketing API 3.0 over urllib)
def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: the MD5 of the lowercased address (their documented scheme, not a security use)."""
    return hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()


class MailchimpConnector:
    provider = "mailchimp"

    def __init__(self, credentials: Credentials, base: str):
        prefix = credentials.server_prefix or credentials.api_key.rpartition("-")[2]
        self._base = base.replace("{dc}", prefix).rstrip("/")
        token = base64.b64encode(f"revenir:{credentials.api_key}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}

    def _request(self, method: str, path: str, body: Any = None, *, missing_ok: bool = False) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = self._headers | ({"Content-Type": "application/json"} if data is not None else {})
        request = urllib.request.Request(self._base + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - the configured base URL
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if missing_ok and exc.code == 404:
                return None
            raise ToolError(self.provider, exc.code, _message(exc.read())) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise ToolError(self.provider, 0, type(exc).__name__) from exc
        return json.loads(raw) if raw else None

    def account(self) -> str:
        answer = self._request("GET", "/?fields=account_name,email")
        return str(answer.get("account_name") or answer.get("email") or "Mailchimp")

    def lists(self) -> list[ToolList]:
        answer = self._request("GET", "/lists?count=100&fields=lists.id,lists.name,lists.stats.member_count")
        return [ToolList(list_id=str(i["id"]), name=str(i["name"]), members=(i.get("stats") or {}).get("member_count"))
                for i in answer.get("lists") or []]

    def upsert(self, list_id: str, contact: Contact, previous_tags: tuple[str, ...],
               segments_field: str | None) -> None:
        member = f"/lists/{urllib.parse.quote(list_id)}/members/{subscriber_hash(contact.email)}"
        # status_if_new: a member who unsubscribed at Mailchimp is never resubscribed by an update
        self._request("PUT", member, {"email_address": contact.email, "status_if_new": "subscribed",
                                      "merge_fields": dict(contact.fields)})
        tags = [{"name": t, "status": "active"} for t in contact.tags]
        tags += [{"name": t, "status": "inactive"} for t in previous_tags if t not in contact.tags]
        if tags:
            self._request("POST", member + "/tags", {"tags": tags})

    def unsubscribe(self, list_id: str, email: str) -> None:
        self._request("PATCH", f"/lists/{urllib.parse.quote(list_id)}/members/{subscriber_hash(email)}",
                      {"status": "unsubscribed"}, missing_ok=True)

    def delete(self, list_id: str, email: str) -> None:
        self._request("POST", f"/lists/{urllib.parse.quote(list_id)}/members/{subscriber_hash(email)}"
                              "/actions/delete-permanent", missing_ok=True)


# ---------------------------------------------------------------- Mailjet (mailjet-rest)
class MailjetConnector:
    provider = "mailjet"

    def __init__(self, credentials: Credentials, base: str):
        from mailjet_rest import Client

        self._api_url = base if base.endswith("/") else base + "/"
        self._client = Client(auth=(credentials.api_key, credentials.api_secret or ""), api_url=self._api_url,
                              version="v3", timeout=int(TIMEOUT))

    def _check(self, response: Any, *, missing_ok: bool = False) -> Any:
        status = int(response.status_code)
        if missing_ok and status == 404:
            return None
        if status >= 400:
            raise ToolError(self.provider, status, _message(response.content))
        return response.json() if response.content else None

    def _send(self, call: Any, *args: Any, missing_ok: bool = False, **kwargs: Any) -> Any:
        import requests
        from mailjet_rest.errors import ApiError, MailjetApiError

        try:
            response = call(*args, **kwargs)
            if isinstance(response, requests.Response) and response.status_code >= 400:
                response.raise_for_status()  # the session's own calls (v4) raise as the SDK's do
        except MailjetApiError as exc:  # the SDK raises on 4xx/5xx
            if missing_ok and exc.status_code == 404:
                return None
            raise ToolError(self.provider, int(exc.status_code), _message(exc.response_body.encode())) from exc
        except requests.HTTPError as exc:
            code = exc.response.status_code if exc.response is not None else 0
            if missing_ok and code == 404:
                return None
            raise ToolError(self.provider, code, _message(exc.response.content if exc.response is not None
                                                          else b"")) from exc
        except (ApiError, requests.RequestException) as exc:  # network, timeout
            raise ToolError(self.provider, 0, type(exc).__name__) from exc
        return self._check(response, missing_ok=missing_ok)

    def account(self) -> str:
        answer = self._send(self._client.myprofile.get)
        data = (answer or {}).get("Data") or [{}]
        return str(data[0].get("CompanyName") or "Mailjet")

    def lists(self) -> list[ToolList]:
        answer = self._send(self._client.contactslist.get, filters={"Limit": 1000})
        return [ToolList(list_id=str(i["ID"]), name=str(i["Name"]), members=i.get("SubscriberCount"))
                for i in (answer or {}).get("Data") or []]

    def upsert(self, list_id: str, contact: Contact, previous_tags: tuple[str, ...],
               segments_field: str | None) -> None:
        # addnoforce: adds or updates, never resubscribes a contact who unsubscribed from the list
        self._send(self._client.contactslist_managecontact.create, id=list_id,
                   data={"Email": contact.email, "Action": "addnoforce",
                         "Properties": _fields_with_segments(contact, segments_field)})

    def unsubscribe(self, list_id: str, email: str) -> None:
        self._send(self._client.contactslist_managecontact.create, id=list_id,
                   data={"Email": email, "Action": "unsub"}, missing_ok=True)

    def delete(self, list_id: str, email: str) -> None:
        found = self._send(self._client.contact.get, id=email, missing_ok=True)
        for contact in (found or {}).get("Data") or []:
            # GDPR deletion is Mailjet's v4 API (DELETE /v4/contacts/{id}), outside the SDK's route map: the
            # SDK's own authenticated session makes the call.
            self._send(self._client.session.delete, f"{self._api_url}v4/contacts/{int(contact['ID'])}",
                       timeout=TIMEOUT, missing_ok=True)


def _message(body: Any) -> str:
    """The tool's error text (Brevo: message; Mailchimp: detail/title; Mailjet: ErrorMessage), short."""
    if isinstance(body, bytes):
        try:
            body = json.loads(body)
        except ValueError:
            body = body.decode("utf-8", "replace")
    if isinstance(body, Mapping):
        for name in ("message", "detail", "ErrorMessage", "title", "error"):
            if body.get(name):
                return str(body[name])[:200]
    return str(body)[:200]
