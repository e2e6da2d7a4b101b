"""localstripe configuration for the local runtime (webhooks to the local gateway).

In AWS the Stripe secrets come from Secrets Manager (template parameter StripeSecretName); locally the handlers
read these environment variables instead (same process as the gateway, so setting os.environ is enough).
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

#: Local defaults: localstripe accepts any sk_test_/pk_test_ key and signs with the secret we give it.
LOCAL_SECRETS = {
    "STRIPE_SECRET_KEY": "sk_test_local",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_local",
    "STRIPE_WEBHOOK_SECRET": "whsec_local_revenir_0123456789",
    "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_local_revenir_connect_0123456789",
}
EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded")


def environment(stripe_port: int, api_port: int | None = None, api_base: str | None = None) -> dict[str, str]:
    """The functions' Stripe settings. `api_base`: the Connect stand-in (local/connect.py) in front of
    localstripe, when it runs; with the gateway's port, Stripe.js is the Payment Element stand-in
    (/_local/stripe.js), else localstripe's own Stripe.js."""
    js = (f"http://127.0.0.1:{api_port}/_local/stripe.js" if api_port
          else f"http://127.0.0.1:{stripe_port}/js.stripe.com/v3/")
    return {**LOCAL_SECRETS, "STRIPE_API_BASE": api_base or f"http://127.0.0.1:{stripe_port}", "STRIPE_JS_URL": js}


def configure(stripe_port: int, api_port: int, connect_standin: Any = None) -> None:
    """Register the webhook endpoint(s) with localstripe so payment events reach /v1/stripe/webhook — through
    the Connect stand-in's relay when it runs: events about a connected account's intents then reach
    /v1/stripe/connect/webhook with `account`, signed with the Connect endpoint's secret."""
    for name, value in environment(stripe_port, api_port,
                                   connect_standin.base_url if connect_standin else None).items():
        if name in LOCAL_SECRETS:
            os.environ.setdefault(name, value)  # a developer's own test keys win
        else:
            os.environ[name] = value
    url = f"http://127.0.0.1:{api_port}/v1/stripe/webhook"
    if connect_standin is not None:
        connect_standin.relay_to = {
            "platform_url": url, "platform_secret": os.environ["STRIPE_WEBHOOK_SECRET"],
            "connect_url": f"http://127.0.0.1:{api_port}/v1/stripe/connect/webhook",
            "connect_secret": os.environ["STRIPE_CONNECT_WEBHOOK_SECRET"]}
        url = f"{connect_standin.base_url}/_connect/relay"
    data = [("url", url),
            ("secret", os.environ["STRIPE_WEBHOOK_SECRET"])] + [("events[]", e) for e in EVENTS]
    request = urllib.request.Request(f"http://127.0.0.1:{stripe_port}/_config/webhooks/revenir",
                                     data=urllib.parse.urlencode(data).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {os.environ['STRIPE_SECRET_KEY']}"})
    deadline = time.monotonic() + 15
    while True:  # localstripe starts as a subprocess: wait for it
        try:
            urllib.request.urlopen(request, timeout=5).read()
            return
        except (urllib.error.URLError, ConnectionError) as exc:
            if time.monotonic() > deadline:
                print(f"localstripe unreachable, gift-voucher payments will fail: {exc}")
                return
            time.sleep(0.2)


# ---------------------------------------------------------------------- the Payment Element stand-in
PAYMENT_ELEMENT_JS = Path(__file__).with_name("stripe_payment_element.js")


def payment_element_script(stripe_port: int, api_port: int) -> str:
    """local/stripe_payment_element.js with its configuration (served at /_local/stripe.js)."""
    config = {"localstripe": f"http://127.0.0.1:{stripe_port}/js.stripe.com/v3/",
              "confirm": f"http://127.0.0.1:{api_port}/_local/stripe/confirm"}
    return f"window.__revenirLocalStripe = {json.dumps(config)};\n" + PAYMENT_ELEMENT_JS.read_text(encoding="utf-8")


def confirm_intent(api_base: str, client_secret: str, payment_method: str,
                   stripe_account: str | None = None) -> tuple[int, dict[str, Any]]:
    """What Stripe does when the Payment Element confirms: attach the tokenised card to the PaymentIntent named
    by the client secret, then confirm it (localstripe only accepts both with the secret key). `api_base`: the
    Connect stand-in (or localstripe); `stripe_account`: Stripe.js's `stripeAccount` option, sent as the
    `Stripe-Account` header, so an intent created on a connected account is found only with that account."""
    match = re.fullmatch(r"(pi_\w+?)_secret_\w+", client_secret or "")
    if not match or not re.fullmatch(r"(card|pm)_\w+", payment_method or ""):
        return 400, {"error": {"type": "invalid_request_error", "message": "client_secret and payment_method"}}
    if stripe_account is not None and not re.fullmatch(r"acct_\w{1,64}", stripe_account):
        return 400, {"error": {"type": "invalid_request_error", "message": "stripe_account"}}
    intent_id = match.group(1)
    base = f"{api_base.rstrip('/')}/v1/payment_intents/{intent_id}"
    status, intent = _stripe_call("GET", base, account=stripe_account)
    if status != 200 or intent.get("client_secret") != client_secret:
        return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                               "message": "no such payment intent"}}
    status, intent = _stripe_call("POST", base, {"payment_method": payment_method}, account=stripe_account)
    if status != 200:
        return status, intent
    return _stripe_call("POST", f"{base}/confirm", {}, account=stripe_account)


def _stripe_call(method: str, url: str, form: dict[str, str] | None = None,
                 account: str | None = None) -> tuple[int, dict[str, Any]]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    headers = {"Authorization": f"Bearer {os.environ['STRIPE_SECRET_KEY']}"}
    if account:
        headers["Stripe-Account"] = account
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(json.load(response))
    except urllib.error.HTTPError as exc:
        try:
            body = dict(json.load(exc))
        except ValueError:
            body = {"error": {"type": "api_error", "message": str(exc)}}
        return exc.code, body
