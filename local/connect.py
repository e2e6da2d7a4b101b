"""A thin Stripe Connect stand-in in front of localstripe (which has no Connect: no Account objects, and the
`Stripe-Account` header is ignored; /work/shared/LOCAL-EMULATION.md).

Production code makes the real stripe SDK calls; locally STRIPE_API_BASE points here, and this server:
- answers Connect's own endpoints: POST /v1/accounts, GET /v1/accounts/{id}, POST /v1/account_links (the link
  opens GET /_connect/onboard/{id}, which completes the onboarding at once and redirects to return_url);
- forwards everything else to localstripe, minus what localstripe refuses (`application_fee_amount`), and
  remembers on which account (the `Stripe-Account` header) each PaymentIntent was created, with its fee: a
  request about that intent from another account (or from the platform) gets Stripe's 404 resource_missing;
- relays localstripe's webhooks (POST /_connect/relay): an event about an intent created on a connected
  account gets that `account` and goes to the Connect endpoint signed with its secret, the others go to the
  platform endpoint signed with the platform's secret.
Test helpers: GET /_connect/payment_intents/{id} (account and fee), POST /_connect/accounts/{id} (set flags).
Not emulated: balances, transfers, payouts, application-fee objects, OAuth, Express dashboards, disputes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

FORWARDED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "Stripe-Version")


def _error(status: int, message: str, code: str = "resource_missing") -> Response:
    body = {"error": {"type": "invalid_request_error", "message": message, "code": code}}
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    at = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


@dataclass
class ConnectStandIn:
    """The WSGI app; `serve()` runs it on a thread."""

    upstream: str  # localstripe's base URL
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_idempotency: dict[str, str] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)  # pi id -> {account, application_fee_amount}
    relay_to: dict[str, str] = field(default_factory=dict)  # platform_url, platform_secret, connect_url, connect_secret
    base_url: str = ""
    state_file: Path | None = None  # the runtime keeps accounts and intents' accounts across restarts
    lock: threading.Lock = field(default_factory=threading.Lock)

    def save(self) -> None:
        if self.state_file is not None:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            self.state_file.write_text(json.dumps({"accounts": self.accounts, "intents": self.intents,
                                                   "by_idempotency": self.by_idempotency}))

    def load(self, path: Path) -> None:
        if path.exists():
            saved = json.loads(path.read_text())
            self.accounts, self.intents = saved["accounts"], saved["intents"]
            self.by_idempotency = saved["by_idempotency"]

    # ---------------------------------------------------------------- WSGI
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        return self.dispatch(request)(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        answer = self.route(request)
        if request.method in ("POST", "DELETE") and answer.status_code < 300:
            with self.lock:
                self.save()
        return answer

    def route(self, request: Request) -> Response:
        path, method = request.path, request.method
        account = request.headers.get("Stripe-Account")
        if path == "/v1/accounts" and method == "POST":
            return self.create_account(request)
        if path.startswith("/v1/accounts/") and method == "GET":
            found = self.accounts.get(path.rsplit("/", 1)[1])
            return _json(found) if found else _error(404, "No such account")
        if path == "/v1/account_links" and method == "POST":
            return self.account_link(request)
        if path.startswith("/_connect/onboard/"):
            return self.onboard(request, path.rsplit("/", 1)[1])
        if path.startswith("/_connect/accounts/") and method == "POST":
            found = self.accounts.get(path.rsplit("/", 1)[1])
            if not found:
                return _error(404, "No such account")
            found.update({k: bool(v) for k, v in (request.get_json(silent=True) or {}).items()
                          if k in ("charges_enabled", "details_submitted")})
            return _json(found)
        if path.startswith("/_connect/payment_intents/"):
            known = self.intents.get(path.rsplit("/", 1)[1])
            return _json(known) if known else _error(404, "No such payment_intent")
        if path == "/_connect/relay" and method == "POST":
            return self.relay(request)
        if account is not None and account not in self.accounts:
            return _error(403, f"The provided key does not have access to account '{account}'",
                          code="account_invalid")
        return self.forward(request, account)

    # ---------------------------------------------------------------- Connect's own objects
    def create_account(self, request: Request) -> Response:
        form = dict(urllib.parse.parse_qsl(request.get_data(as_text=True), keep_blank_values=True))
        key = request.headers.get("Idempotency-Key")
        with self.lock:
            if key and key in self.by_idempotency:
                return _json(self.accounts[self.by_idempotency[key]])
            account_id = "acct_" + secrets.token_hex(8)
            metadata = {k[len("metadata["):-1]: v for k, v in form.items() if k.startswith("metadata[")}
            self.accounts[account_id] = {
                "id": account_id, "object": "account", "type": form.get("type", "standard"),
                "email": form.get("email"), "country": form.get("country", "BE"), "metadata": metadata,
                "charges_enabled": False, "details_submitted": False, "payouts_enabled": False,
                "created": int(time.time())}
            if key:
                self.by_idempotency[key] = account_id
        return _json(self.accounts[account_id])

    def account_link(self, request: Request) -> Response:
        form = dict(urllib.parse.parse_qsl(request.get_data(as_text=True), keep_blank_values=True))
        account_id = form.get("account", "")
        if account_id not in self.accounts:
            return _error(400, "No such account", code="resource_missing")
        query = urllib.parse.urlencode({"return_url": form.get("return_url", "")})
        base = self.base_url or request.host_url.rstrip("/")
        now = int(time.time())
        return _json({"object": "account_link", "created": now, "expires_at": now + 300,
                      "url": f"{base}/_connect/onboard/{account_id}?{query}"})

    def onboard(self, request: Request, account_id: str) -> Response:
        """The host 'completes' Stripe's onboarding: the account can take charges; back to the return URL."""
        found = self.accounts.get(account_id)
        if not found:
            return _error(404, "No such account")
        found.update({"charges_enabled": True, "details_submitted": True, "payouts_enabled": True})
        target = request.args.get("return_url", "")
        if not target.startswith(("http://", "https://")):
            return _json(found)
        return Response(status=302, headers={"Location": target})

    # ---------------------------------------------------------------- everything else: localstripe
    def forward(self, request: Request, account: str | None) -> Response:
        path, method = request.path, request.method
        parts = path.strip("/").split("/")
        intent_id = parts[2] if len(parts) >= 3 and parts[:2] == ["v1", "payment_intents"] else None
        pairs = urllib.parse.parse_qsl(request.get_data(as_text=True), keep_blank_values=True)
        if path == "/v1/refunds" and method == "POST":
            intent_id = dict(pairs).get("payment_intent")
        if intent_id and intent_id in self.intents and self.intents[intent_id]["account"] != account:
            return _error(404, f"No such payment_intent: '{intent_id}'")
        fee = next((int(v) for k, v in pairs if k == "application_fee_amount"), None)
        if fee is not None and account is None:
            return _error(400, "application_fee_amount needs a connected account (Stripe-Account)",
                          code="parameter_invalid")
        body = urllib.parse.urlencode([(k, v) for k, v in pairs if k != "application_fee_amount"]).encode()
        url = self.upstream + path + (f"?{request.query_string.decode()}" if request.query_string else "")
        headers = {h: request.headers[h] for h in FORWARDED_HEADERS if h in request.headers}
        upstream = urllib.request.Request(url, data=body if method in ("POST", "DELETE") else None, method=method,
                                          headers=headers)
        try:
            with urllib.request.urlopen(upstream, timeout=30) as answer:
                status, data, mimetype = answer.status, answer.read(), answer.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            return Response(exc.read(), status=exc.code, mimetype=exc.headers.get_content_type())
        if path == "/v1/payment_intents" and method == "POST" and status == 200:
            created = json.loads(data)
            self.intents[created["id"]] = {"account": account, "application_fee_amount": fee or 0}
        elif intent_id and fee is not None and intent_id in self.intents:
            self.intents[intent_id]["application_fee_amount"] = fee
        if intent_id and intent_id in self.intents and mimetype == "application/json":
            answer_body = json.loads(data)
            if answer_body.get("object") == "payment_intent":
                answer_body["application_fee_amount"] = self.intents[intent_id]["application_fee_amount"] or None
                data = json.dumps(answer_body).encode()
        return Response(data, status=status, mimetype=mimetype)

    # ---------------------------------------------------------------- webhooks
    def relay(self, request: Request) -> Response:
        """localstripe's event (signed for the platform) to the endpoint Stripe would use, signed for it."""
        event = json.loads(request.get_data())
        obj = (event.get("data") or {}).get("object") or {}
        intent_id = obj.get("id") if obj.get("object") == "payment_intent" else obj.get("payment_intent")
        account = (self.intents.get(str(intent_id)) or {}).get("account")
        if account:
            event["account"] = account
            url, secret = self.relay_to["connect_url"], self.relay_to["connect_secret"]
        else:
            url, secret = self.relay_to["platform_url"], self.relay_to["platform_secret"]
        payload = json.dumps(event).encode()
        outgoing = urllib.request.Request(url, data=payload, method="POST", headers={
            "Content-Type": "application/json", "Stripe-Signature": sign(payload, secret)})
        try:
            with urllib.request.urlopen(outgoing, timeout=30) as answer:
                return Response(answer.read(), status=answer.status, mimetype="application/json")
        except urllib.error.HTTPError as exc:
            return Response(exc.read(), status=exc.code, mimetype="application/json")


def serve(upstream: str, port: int = 0, state_file: Path | None = None) -> tuple[ConnectStandIn, BaseWSGIServer]:
    """Start the stand-in on 127.0.0.1:`port` (0: any free port) on a daemon thread; `state_file`: restore."""
    app = ConnectStandIn(upstream.rstrip("/"))
    if state_file is not None:
        app.load(state_file)
    server = make_server("127.0.0.1", port, app, threaded=True)
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, name="connect-stand-in", daemon=True).start()
    return app, server
