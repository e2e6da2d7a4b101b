"""Local stand-ins of the e-mailing tools' REST APIs (Brevo, Mailchimp, Mailjet): the subset Revenir calls, with
the same paths, auth headers, JSON shapes and error codes, so the real SDKs talk HTTP to them in `make run` and
the tests (docs/emailing-tools.md says which published description each was checked against).

`FakeTools()` is one WSGI app serving `/<provider>/...` (mounted at /_fakes on the local gateway's port by
`python -m local`, or served on its own port by the tests). Each fake also answers, outside the tool's API:
  GET  /<provider>/_state        its lists and contacts (tests inspect them)
  POST /<provider>/_fail         {"status": 503, "times": n}: the next n API calls fail with that status
  POST /<provider>/_reset        forget every contact
  POST /<provider>/_unsubscribe  {"email", "webhook_url"?}: the contact unsubscribes at the tool, and the tool's
                                 webhook payload is returned (and POSTed to webhook_url when given)
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

from werkzeug.wrappers import Request, Response

#: The environment variables the mailing functions read (template.yaml), pointing at the fakes.
BASE_VARIABLES = ("BREVO_API_BASE", "MAILCHIMP_API_BASE", "MAILJET_API_BASE")


def environment(root: str) -> dict[str, str]:
    """The tools' base URLs when the fakes are served at `root` (e.g. http://127.0.0.1:8000/_fakes)."""
    root = root.rstrip("/")
    return {"BREVO_API_BASE": f"{root}/brevo/v3", "MAILCHIMP_API_BASE": f"{root}/mailchimp/3.0",
            "MAILJET_API_BASE": f"{root}/mailjet/"}


def override(fn_environment: dict[str, str], env: dict[str, str], root: str) -> None:
    """A function that reads a tool's base URL gets the fake's instead (as STRIPE_API_BASE gets localstripe)."""
    for name, value in environment(root).items():
        if name in fn_environment:
            env[name] = value


def json_response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    if body is None:
        return Response(status=status, headers=headers)
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)


class Fake:
    """One tool: its state under a lock, a failure switch, and the test-only routes."""

    name = ""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.fail_status = 0
        self.fail_times = 0
        self.calls: list[str] = []
        self.reset()

    def reset(self) -> None:  # pragma: no cover - each fake defines it
        raise NotImplementedError

    def state(self) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def api(self, request: Request, path: str) -> Response:  # pragma: no cover
        raise NotImplementedError

    def unsubscribe(self, email: str) -> tuple[str, str]:  # pragma: no cover
        """Mark the contact unsubscribed; (content type, body) of the webhook the tool would send."""
        raise NotImplementedError

    def failing(self) -> Response | None:
        if self.fail_times > 0:
            self.fail_times -= 1
            return self.error(self.fail_status, "simulated failure")
        return None

    def error(self, status: int, message: str) -> Response:  # pragma: no cover
        raise NotImplementedError

    def __call__(self, request: Request, path: str) -> Response:
        with self.lock:
            if path == "/_state" and request.method == "GET":
                return json_response(200, self.state())
            if path == "/_reset" and request.method == "POST":
                self.reset()
                return json_response(200, {"ok": True})
            if path == "/_fail" and request.method == "POST":
                data = request.get_json(silent=True) or {}
                self.fail_status, self.fail_times = int(data.get("status", 503)), int(data.get("times", 1))
                return json_response(200, {"ok": True})
            if path == "/_unsubscribe" and request.method == "POST":
                data = request.get_json(silent=True) or {}
                content_type, body = self.unsubscribe(str(data.get("email", "")).lower())
                url = data.get("webhook_url")
            else:
                self.calls.append(f"{request.method} {path}")
                return self.failing() or self.api(request, path)
        status = None
        if url:  # outside the lock: the webhook's handler may call back into this fake
            answer = urllib.request.urlopen(urllib.request.Request(
                str(url), data=body.encode(), method="POST", headers={"Content-Type": content_type}), timeout=30)
            status = answer.status
        return json_response(200, {"content_type": content_type, "body": body, "webhook_status": status})


class FakeTools:
    """The three fakes as one WSGI app: /<provider>/<the tool's path>."""

    def __init__(self) -> None:
        from local.fakes.brevo import FakeBrevo
        from local.fakes.mailchimp import FakeMailchimp
        from local.fakes.mailjet import FakeMailjet

        self.tools: dict[str, Fake] = {"brevo": FakeBrevo(), "mailchimp": FakeMailchimp(), "mailjet": FakeMailjet()}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        provider, _, rest = request.path.lstrip("/").partition("/")
        # the fakes' own prefix may be left by a mount (DispatcherMiddleware strips it; a direct server does not)
        if provider == "_fakes":
            provider, _, rest = rest.partition("/")
        tool = self.tools.get(provider)
        response = (tool(request, "/" + rest) if tool is not None
                    else json_response(404, {"error": f"no fake tool {provider!r}"}))
        return response(environ, start_response)
