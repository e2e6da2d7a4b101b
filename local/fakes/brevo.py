"""A fake of Brevo's API v3 (the part Revenir calls), checked against Brevo's published OpenAPI description
(the brevo-python 5.x SDK is generated from it: paths, `api-key` header, camelCase JSON, error body
{"code", "message"}; docs/emailing-tools.md)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from local.fakes import Fake, json_response


class FakeBrevo(Fake):
    name = "brevo"

    def reset(self) -> None:
        self.lists: dict[int, str] = {2: "Clients Revenir", 7: "Newsletter"}
        self.contacts: dict[str, dict[str, Any]] = {}
        self.next_id = 1

    def state(self) -> dict[str, Any]:
        return {"lists": {str(k): v for k, v in self.lists.items()}, "contacts": self.contacts, "calls": self.calls}

    def error(self, status: int, message: str) -> Response:
        code = {400: "invalid_parameter", 401: "unauthorized", 404: "document_not_found"}.get(status, "error")
        return json_response(status, {"code": code, "message": message})

    def unsubscribe(self, email: str) -> tuple[str, str]:
        if email in self.contacts:
            self.contacts[email]["emailBlacklisted"] = True
        return "application/json", json.dumps({"event": "unsubscribed", "email": email, "id": 1,
                                               "date": "2026-12-02 10:00:00", "list_id": sorted(self.lists)})

    def api(self, request: Request, path: str) -> Response:
        key = request.headers.get("api-key", "")
        if not key.startswith("xkeysib-") or "invalid" in key:
            return self.error(401, "Key not found")
        path = path.removeprefix("/v3")
        if path == "/account" and request.method == "GET":
            return json_response(200, {"email": "host@example.com", "firstName": "Hôte", "lastName": "Local",
                                       "companyName": "Gîte local (fake Brevo)", "plan": [],
                                       "address": {"city": "Namur", "country": "BE", "street": "", "zipCode": ""}})
        if path == "/contacts/lists" and request.method == "GET":
            limit = int(request.args.get("limit", 10))
            offset = int(request.args.get("offset", 0))
            if not 0 <= limit <= 50:
                return self.error(400, "limit must be between 0 and 50")
            rows = [{"id": i, "name": n, "folderId": 1, "uniqueSubscribers": self._members(i),
                     "totalSubscribers": self._members(i), "totalBlacklisted": 0}
                    for i, n in sorted(self.lists.items())][offset:offset + limit]
            return json_response(200, {"lists": rows, "count": len(self.lists)})
        if path == "/contacts" and request.method == "POST":
            return self._create(request)
        if path.startswith("/contacts/") and path.count("/") == 2:
            email = unquote(path.removeprefix("/contacts/")).lower()
            contact = self.contacts.get(email)
            if contact is None:
                return self.error(404, "Contact does not exist")
            if request.method == "GET":
                return json_response(200, contact)
            if request.method == "PUT":
                body = request.get_json(silent=True) or {}
                if "emailBlacklisted" in body:
                    contact["emailBlacklisted"] = bool(body["emailBlacklisted"])
                contact["attributes"].update(body.get("attributes") or {})
                contact["listIds"] = sorted(set(contact["listIds"]) | set(body.get("listIds") or [])
                                            - set(body.get("unlinkListIds") or []))
                return json_response(204)
            if request.method == "DELETE":
                del self.contacts[email]
                return json_response(204)
        return self.error(404, f"no route {request.method} {path}")

    def _members(self, list_id: int) -> int:
        return sum(1 for c in self.contacts.values() if list_id in c["listIds"] and not c["emailBlacklisted"])

    def _create(self, request: Request) -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("email"), str) or "@" not in body["email"]:
            return self.error(400, "Invalid email address")
        unknown = [i for i in body.get("listIds") or [] if i not in self.lists]
        if unknown:
            return self.error(404, f"List ID does not exist: {unknown}")
        email = body["email"].lower()
        existing = self.contacts.get(email)
        if existing is not None:
            if not body.get("updateEnabled"):
                return json_response(400, {"code": "duplicate_parameter", "message": "Contact already exist"})
            existing["attributes"].update(body.get("attributes") or {})
            existing["listIds"] = sorted(set(existing["listIds"]) | set(body.get("listIds") or []))
            return json_response(204)
        self.contacts[email] = {"id": self.next_id, "email": email, "attributes": dict(body.get("attributes") or {}),
                                "listIds": sorted(body.get("listIds") or []),
                                "emailBlacklisted": bool(body.get("emailBlacklisted", False))}
        self.next_id += 1
        return json_response(201, {"id": self.next_id - 1})
