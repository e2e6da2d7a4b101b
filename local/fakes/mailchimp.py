"""A fake of Mailchimp's Marketing API 3.0 (the part Revenir calls), checked against Mailchimp's published API
description (mailchimp/mailchimp-client-lib-codegen's swagger: members upsert by subscriber hash, tags,
delete-permanent; HTTP basic auth with the key as password; errors as application/problem+json)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs

from werkzeug.wrappers import Request, Response

from local.fakes import Fake, json_response


def _hash(email: str) -> str:
    return hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()


class FakeMailchimp(Fake):
    name = "mailchimp"

    def reset(self) -> None:
        self.lists: dict[str, str] = {"a1b2c3d4e5": "Revenir guests", "f6e7d8c9b0": "Newsletter"}
        self.members: dict[str, dict[str, dict[str, Any]]] = {list_id: {} for list_id in self.lists}

    def state(self) -> dict[str, Any]:
        return {"lists": self.lists, "members": self.members, "calls": self.calls}

    def error(self, status: int, message: str) -> Response:
        titles = {400: "Invalid Resource", 401: "API Key Invalid", 404: "Resource Not Found"}
        response = json_response(status, {"type": "https://mailchimp.com/developer/marketing/docs/errors/",
                                          "title": titles.get(status, "Error"), "status": status,
                                          "detail": message, "instance": "fake"})
        response.mimetype = "application/problem+json"
        return response

    def unsubscribe(self, email: str) -> tuple[str, str]:
        list_id = next((i for i, members in self.members.items() if _hash(email) in members), next(iter(self.lists)))
        if _hash(email) in self.members[list_id]:
            self.members[list_id][_hash(email)]["status"] = "unsubscribed"
        from urllib.parse import urlencode

        return "application/x-www-form-urlencoded", urlencode({
            "type": "unsubscribe", "fired_at": "2026-12-02 10:00:00", "data[action]": "unsub",
            "data[reason]": "manual", "data[id]": "8a25ff1d98", "data[list_id]": list_id, "data[email]": email,
            "data[email_type]": "html"})

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            _, _, key = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        head, _, dc = key.rpartition("-")
        return bool(head) and dc[:2].isalpha() and "invalid" not in key

    def api(self, request: Request, path: str) -> Response:
        if not self._authorised(request):
            return self.error(401, "Your request did not include an API key.")
        path = path.removeprefix("/3.0")
        parts = [p for p in path.split("/") if p]
        if request.method == "GET" and parts in ([], ["ping"]):
            return json_response(200, {"account_id": "fake", "account_name": "Gîte local (fake Mailchimp)",
                                       "email": "host@example.com", "health_status": "Everything's Chimpy!"})
        if parts == ["lists"] and request.method == "GET":
            count = int((parse_qs(request.query_string.decode()).get("count") or ["10"])[0])
            rows = [{"id": i, "name": n, "stats": {"member_count": sum(
                1 for m in self.members[i].values() if m["status"] == "subscribed")}} for i, n in self.lists.items()]
            return json_response(200, {"lists": rows[:count], "total_items": len(rows)})
        if len(parts) >= 4 and parts[0] == "lists" and parts[2] == "members":
            list_id, member_id = parts[1], parts[3]
            if list_id not in self.lists:
                return self.error(404, "The requested resource could not be found.")
            return self._member(request, list_id, member_id, parts[4:])
        return self.error(404, f"no route {request.method} {path}")

    def _member(self, request: Request, list_id: str, member_id: str, rest: list[str]) -> Response:
        members = self.members[list_id]
        member = members.get(member_id)
        if not rest and request.method == "PUT":
            body = request.get_json(silent=True) or {}
            email = str(body.get("email_address", ""))
            if "@" not in email or _hash(email) != member_id:
                return self.error(400, "The subscriber hash does not match the email_address.")
            if member is None:
                if body.get("status_if_new") not in ("subscribed", "pending", "unsubscribed", "cleaned",
                                                     "transactional"):
                    return self.error(400, "status_if_new is required for a new member")
                member = members[member_id] = {"id": member_id, "email_address": email.lower(),
                                               "status": body["status_if_new"], "merge_fields": {}, "tags": []}
            if body.get("status"):
                member["status"] = body["status"]
            member["merge_fields"].update(body.get("merge_fields") or {})
            return json_response(200, member)
        if member is None:
            return self.error(404, "The requested resource could not be found.")
        if not rest and request.method == "GET":
            return json_response(200, member)
        if not rest and request.method == "PATCH":
            body = request.get_json(silent=True) or {}
            if body.get("status"):
                member["status"] = body["status"]
            member["merge_fields"].update(body.get("merge_fields") or {})
            return json_response(200, member)
        if rest == ["tags"] and request.method == "POST":
            body = request.get_json(silent=True) or {}
            tags = set(member["tags"])
            for tag in body.get("tags") or []:
                (tags.add if tag.get("status") == "active" else tags.discard)(str(tag.get("name")))
            member["tags"] = sorted(tags)
            return json_response(204)
        if rest == ["actions", "delete-permanent"] and request.method == "POST":
            del members[member_id]
            return json_response(204)
        return self.error(404, "The requested resource could not be found.")
