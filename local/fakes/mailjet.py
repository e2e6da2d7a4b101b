"""A fake of Mailjet's REST API (v3 contacts and lists, v4 GDPR contact deletion; the part Revenir calls),
checked against Mailjet's published API reference (the mailjet-rest SDK's route map: /v3/REST/<resource>,
basic auth with the API key and secret, {"Count", "Data", "Total"} bodies, errors {"ErrorMessage", "StatusCode"})."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from local.fakes import Fake, json_response

ACTIONS = ("addforce", "addnoforce", "remove", "unsub")


class FakeMailjet(Fake):
    name = "mailjet"

    def reset(self) -> None:
        self.lists: dict[int, str] = {10: "Revenir", 11: "Newsletter"}
        self.contacts: dict[str, dict[str, Any]] = {}  # email -> {ID, Email, Properties}
        self.subscriptions: dict[int, dict[str, str]] = {i: {} for i in self.lists}  # list -> email -> status
        self.next_id = 100

    def state(self) -> dict[str, Any]:
        return {"lists": {str(k): v for k, v in self.lists.items()}, "contacts": self.contacts,
                "subscriptions": {str(k): v for k, v in self.subscriptions.items()}, "calls": self.calls}

    def error(self, status: int, message: str) -> Response:
        return json_response(status, {"ErrorInfo": "", "ErrorMessage": message, "StatusCode": status})

    def unsubscribe(self, email: str) -> tuple[str, str]:
        list_id = next((i for i, subscribed in self.subscriptions.items() if email in subscribed),
                       next(iter(self.lists)))
        if email in self.subscriptions[list_id]:
            self.subscriptions[list_id][email] = "unsub"
        return "application/json", json.dumps([{"event": "unsub", "time": 1764669600, "MessageID": 1,
                                                "email": email, "mj_list_id": list_id, "mj_contact_id": 1,
                                                "customcampaign": "", "CustomID": "", "Payload": ""}])

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return bool(user) and bool(secret) and "invalid" not in user + secret

    def api(self, request: Request, path: str) -> Response:
        if not self._authorised(request):
            return Response("API key authentication/authorization failure.", status=401)
        parts = [unquote(p) for p in path.split("/") if p]
        if parts == ["v3", "REST", "myprofile"] and request.method == "GET":
            return json_response(200, {"Count": 1, "Data": [{"CompanyName": "Gîte local (fake Mailjet)"}], "Total": 1})
        if parts == ["v3", "REST", "contactslist"] and request.method == "GET":
            rows = [{"ID": i, "Name": n, "IsDeleted": False, "SubscriberCount": sum(
                1 for s in self.subscriptions[i].values() if s == "sub")} for i, n in self.lists.items()]
            return json_response(200, {"Count": len(rows), "Data": rows, "Total": len(rows)})
        if (len(parts) == 5 and parts[:3] == ["v3", "REST", "contactslist"] and parts[4] == "managecontact"
                and request.method == "POST"):
            return self._manage(request, parts[3])
        if len(parts) == 4 and parts[:3] == ["v3", "REST", "contact"] and request.method == "GET":
            contact = self.contacts.get(parts[3].lower())
            if contact is None:
                return self.error(404, "Object not found")
            return json_response(200, {"Count": 1, "Data": [contact], "Total": 1})
        if len(parts) == 3 and parts[:2] == ["v4", "contacts"] and request.method == "DELETE":
            found = next((e for e, c in self.contacts.items() if str(c["ID"]) == parts[2]), None)
            if found is None:
                return self.error(404, "Object not found")
            del self.contacts[found]
            for subscribed in self.subscriptions.values():
                subscribed.pop(found, None)
            return json_response(200, {})
        return self.error(404, f"no route {request.method} {path}")

    def _manage(self, request: Request, list_part: str) -> Response:
        if not list_part.isdigit() or int(list_part) not in self.lists:
            return self.error(404, "Object not found")
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "@" not in str(body.get("Email", "")):
            return self.error(400, "Invalid Email")
        if body.get("Action") not in ACTIONS:
            return self.error(400, f"Invalid Action: must be one of {', '.join(ACTIONS)}")
        email = str(body["Email"]).lower()
        subscribed = self.subscriptions[int(list_part)]
        action = body["Action"]
        contact = self.contacts.get(email)
        if contact is None:
            if action in ("remove", "unsub"):
                return self.error(404, "Object not found")
            contact = self.contacts[email] = {"ID": self.next_id, "Email": email, "Properties": {}}
            self.next_id += 1
        contact["Properties"].update(body.get("Properties") or {})
        if action == "addforce" or (action == "addnoforce" and subscribed.get(email) != "unsub"):
            subscribed[email] = "sub"
        elif action == "unsub":
            subscribed[email] = "unsub"
        elif action == "remove":
            subscribed.pop(email, None)
        return json_response(201, {"Count": 1, "Data": [{"ContactID": contact["ID"], "Email": email,
                                                         "Action": action, "Properties": contact["Properties"]}],
                                   "Total": 1})
