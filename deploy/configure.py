"""`make configure ENV=dev`: the one step after the first `sam deploy`.

1. Stripe: stores the secret key and registers the webhook endpoint for the deployed URL with the events
   Revenir handles; stores its signing secret; both in the `StripeSecretName` secret (JSON).
2. Stack parameters that only exist after a deploy: `PublicBaseUrl` (the API URL, or PUBLIC_BASE_URL /
   your custom domain) and `StripePublishableKey`, applied with the previous template (no rebuild).
3. SES: checks the sender domain; prints the DKIM CNAME records until it is verified, and the sandbox state.
4. Back-office: uploads web/ and admin/config.js (API URL, managed login) to the bucket, invalidates CloudFront.

Every step is idempotent: run it again after each deploy, or to rotate the Stripe keys.
Inputs: STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY (environment, or asked for), AWS credentials.
"""

from __future__ import annotations

import argparse
import getpass
import json
import mimetypes
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: The Stripe events the webhook function handles (functions/vouchers/webhook.py).
STRIPE_EVENTS = ["payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded"]
WEBHOOK_PATH = "/v1/stripe/webhook"
#: The connected accounts' events (direct charges on the properties' own accounts; docs/payments.md).
CONNECT_EVENTS = [*STRIPE_EVENTS, "charge.dispute.created", "charge.dispute.closed", "account.updated"]
CONNECT_WEBHOOK_PATH = "/v1/stripe/connect/webhook"

Say = Callable[[str], None]


def stack_outputs(cloudformation: Any, stack: str) -> tuple[dict[str, str], dict[str, str]]:
    """(outputs, parameters) of the deployed stack."""
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters", [])}
    return outputs, parameters


def configure_stripe(stripe_client: Any, secrets: Any, secret_name: str, api_url: str, secret_key: str,
                     say: Say) -> dict[str, Any]:
    """Registers (or keeps) the webhook endpoint and stores {secret_key, webhook_secret}."""
    url = api_url.rstrip("/") + WEBHOOK_PATH
    stored = _read_secret(secrets, secret_name)
    endpoint = next((e for e in stripe_client.v1.webhook_endpoints.list({"limit": 100}).data if e.url == url), None)
    webhook_secret = stored.get("webhook_secret")
    if endpoint is not None and webhook_secret and stored.get("webhook_endpoint_id") == endpoint.id:
        if sorted(endpoint.enabled_events) != sorted(STRIPE_EVENTS):
            stripe_client.v1.webhook_endpoints.update(endpoint.id, {"enabled_events": STRIPE_EVENTS})
            say(f"Stripe webhook {endpoint.id}: events updated")
        else:
            say(f"Stripe webhook {endpoint.id} already registered for {url}")
    else:
        if endpoint is not None:  # registered by someone else, or its secret was lost: replace it
            stripe_client.v1.webhook_endpoints.delete(endpoint.id)
        endpoint = stripe_client.v1.webhook_endpoints.create(
            {"url": url, "enabled_events": STRIPE_EVENTS, "description": "Revenir gift vouchers"})
        webhook_secret = endpoint.secret
        say(f"Stripe webhook {endpoint.id} registered for {url}")
    value = {**{k: v for k, v in stored.items() if k.startswith("connect_")},  # configure_stripe_connect's
             "secret_key": secret_key, "webhook_secret": webhook_secret, "webhook_endpoint_id": endpoint.id}
    if value != stored:
        _write_secret(secrets, secret_name, value)
        say(f"stored the Stripe keys in Secrets Manager ({secret_name})")
    return value


def configure_stripe_connect(stripe_client: Any, secrets: Any, secret_name: str, api_url: str,
                             say: Say) -> dict[str, Any]:
    """Registers (or keeps) the Connect webhook endpoint (`connect: true`: the properties' own accounts' events)
    and adds {connect_webhook_secret, connect_webhook_endpoint_id} to the stored Stripe secret."""
    url = api_url.rstrip("/") + CONNECT_WEBHOOK_PATH
    stored = _read_secret(secrets, secret_name)
    endpoint = next((e for e in stripe_client.v1.webhook_endpoints.list({"limit": 100}).data if e.url == url), None)
    connect_secret = stored.get("connect_webhook_secret")
    if endpoint is not None and connect_secret and stored.get("connect_webhook_endpoint_id") == endpoint.id:
        if sorted(endpoint.enabled_events) != sorted(CONNECT_EVENTS):
            stripe_client.v1.webhook_endpoints.update(endpoint.id, {"enabled_events": CONNECT_EVENTS})
            say(f"Stripe Connect webhook {endpoint.id}: events updated")
        else:
            say(f"Stripe Connect webhook {endpoint.id} already registered for {url}")
    else:
        if endpoint is not None:
            stripe_client.v1.webhook_endpoints.delete(endpoint.id)
        endpoint = stripe_client.v1.webhook_endpoints.create(
            {"url": url, "enabled_events": CONNECT_EVENTS, "connect": True,
             "description": "Revenir: the properties' connected accounts"})
        connect_secret = endpoint.secret
        say(f"Stripe Connect webhook {endpoint.id} registered for {url}")
    value = {**stored, "connect_webhook_secret": connect_secret, "connect_webhook_endpoint_id": endpoint.id}
    if value != stored:
        _write_secret(secrets, secret_name, value)
        say(f"stored the Connect webhook secret in Secrets Manager ({secret_name})")
    return value


def _read_secret(secrets: Any, name: str) -> dict[str, Any]:
    try:
        raw = secrets.get_secret_value(SecretId=name)["SecretString"]
    except secrets.exceptions.ResourceNotFoundException:
        return {}
    value = json.loads(raw or "{}")
    return value if isinstance(value, dict) else {}


def _write_secret(secrets: Any, name: str, value: dict[str, Any]) -> None:
    text = json.dumps(value)
    try:
        secrets.put_secret_value(SecretId=name, SecretString=text)
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(Name=name, SecretString=text,
                              Description="Stripe account of Revenir: {secret_key, webhook_secret} (make configure)")


def update_parameters(cloudformation: Any, stack: str, current: dict[str, str], wanted: dict[str, str],
                      say: Say) -> bool:
    """Applies new parameter values with the previous template; the other parameters keep theirs."""
    changed = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not changed:
        say("stack parameters already set: " + ", ".join(f"{k}={v}" for k, v in wanted.items()))
        return False
    parameters = [{"ParameterKey": k, "ParameterValue": changed[k]} if k in changed
                  else {"ParameterKey": k, "UsePreviousValue": True} for k in current]
    cloudformation.update_stack(StackName=stack, UsePreviousTemplate=True, Parameters=parameters,
                                Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    say("updating the stack: " + ", ".join(f"{k}={v}" for k, v in changed.items()))
    cloudformation.get_waiter("stack_update_complete").wait(StackName=stack)
    say("  later `sam deploy`s keep them (a parameter it is not given keeps its previous value)")
    return True


def check_ses(sesv2: Any, domain: str, say: Say) -> bool:
    """True once the domain can send; else prints the DKIM records to publish."""
    identity = sesv2.get_email_identity(EmailIdentity=domain)
    verified = bool(identity.get("VerifiedForSendingStatus"))
    dkim = identity.get("DkimAttributes") or {}
    if verified:
        say(f"SES: {domain} is verified (DKIM {dkim.get('Status', 'unknown')})")
    else:
        say(f"SES: {domain} is NOT verified yet (DKIM {dkim.get('Status', 'PENDING')}). Publish these records:")
        for token in dkim.get("Tokens", []):
            say(f"  {token}._domainkey.{domain}  CNAME  {token}.dkim.amazonses.com")
    return verified


def check_ses_sandbox(sesv2: Any, say: Say) -> bool:  # pragma: no cover - moto lacks GetAccount
    in_production = bool(sesv2.get_account().get("ProductionAccessEnabled"))
    if not in_production:
        say("SES: the account is in the sandbox (only verified recipients): request production access")
    return in_production


def publish_back_office(s3: Any, cloudfront: Any, bucket: str, distribution_id: str | None,
                        config: dict[str, Any], say: Say, source: Path = ROOT / "web") -> list[str]:
    keys = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        key = path.relative_to(source).as_posix()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type,
                      CacheControl="public, max-age=300")
        keys.append(key)
    # the back-office reads its settings from admin/config.js (an ES module; web/admin/config.js is the local one)
    module = "export default " + json.dumps(config, indent=2) + ";\n"
    s3.put_object(Bucket=bucket, Key="admin/config.js", Body=module.encode(),
                  ContentType="text/javascript", CacheControl="no-cache")
    keys.append("admin/config.js")
    if distribution_id:
        cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())})
    say(f"back-office: {len(keys)} files uploaded to s3://{bucket}")
    return keys


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - needs an AWS account and Stripe
    import boto3
    import stripe

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", default="dev", choices=["dev", "prod"])
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "eu-west-3"))
    args = parser.parse_args(argv)
    stack = f"revenir-{args.env}"
    session = boto3.Session(region_name=args.region)
    cloudformation = session.client("cloudformation")
    outputs, parameters = stack_outputs(cloudformation, stack)
    say = print

    secret_key = os.environ.get("STRIPE_SECRET_KEY") or getpass.getpass("Stripe secret key (sk_...): ")
    publishable = os.environ.get("STRIPE_PUBLISHABLE_KEY") or input("Stripe publishable key (pk_...): ").strip()
    if not secret_key.startswith(("sk_", "rk_")) or not publishable.startswith("pk_"):
        say("the Stripe keys look wrong (sk_… / rk_… and pk_…)")
        return 2
    if args.env == "prod" and (secret_key.startswith("sk_test") or publishable.startswith("pk_test")):
        say("refusing test-mode Stripe keys for prod")
        return 2
    configure_stripe(stripe.StripeClient(secret_key), session.client("secretsmanager"),
                     parameters.get("StripeSecretName", "revenir/stripe"), outputs["ApiUrl"], secret_key, say)
    configure_stripe_connect(stripe.StripeClient(secret_key), session.client("secretsmanager"),
                             parameters.get("StripeSecretName", "revenir/stripe"), outputs["ApiUrl"], say)

    public_url = os.environ.get("PUBLIC_BASE_URL") or outputs["ApiUrl"]
    update_parameters(cloudformation, stack, parameters,
                      {"PublicBaseUrl": public_url, "StripePublishableKey": publishable}, say)

    check_ses(session.client("sesv2"), parameters.get("SenderDomain", ""), say)
    check_ses_sandbox(session.client("sesv2"), say)

    config: dict[str, Any] = {"apiBase": outputs["ApiUrl"].rstrip("/"), "cognito": {
        "domain": outputs.get("SignInUrl", ""), "clientId": outputs.get("UserPoolClientId", "")}}
    publish_back_office(session.client("s3"), session.client("cloudfront"), outputs["BackOfficeBucketName"],
                        outputs.get("BackOfficeDistributionId"), config, say)
    say(f"back-office: {outputs.get('BackOfficeUrl')}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
