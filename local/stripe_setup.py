"""localstripe configuration for the local runtime (webhooks to the local gateway).

In AWS the Stripe secrets come from Secrets Manager (template parameter StripeSecretName); locally the handlers
read these environment variables instead (same process as the gateway, so setting os.environ is enough).
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

#: Local defaults: localstripe accepts any sk_test_/pk_test_ key and signs with the secret we give it.
LOCAL_SECRETS = {
    "STRIPE_SECRET_KEY": "sk_test_local",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_local",
    "STRIPE_WEBHOOK_SECRET": "whsec_local_revenir_0123456789",
    "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_local_revenir_connect_0123456789",
}
EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded")


def environment(stripe_port: int, api_base: str | None = None) -> dict[str, str]:
    """`api_base`: the Connect stand-in (local/connect.py) in front of localstripe, when it runs."""
    return {**LOCAL_SECRETS, "STRIPE_API_BASE": api_base or f"http://127.0.0.1:{stripe_port}",
            "STRIPE_JS_URL": f"http://127.0.0.1:{stripe_port}/js.stripe.com/v3/"}


def configure(stripe_port: int, api_port: int, connect_standin: Any = None) -> None:
    """Register the webhook endpoint(s) with localstripe so payment events reach /v1/stripe/webhook — through
    the Connect stand-in's relay when it runs: events about a connected account's intents then reach
    /v1/stripe/connect/webhook with `account`, signed with the Connect endpoint's secret."""
    for name, value in environment(stripe_port, connect_standin.base_url if connect_standin else None).items():
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
