"""`make configure`: each step on moto (Secrets Manager, SES, S3) and a recording Stripe, run twice."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from deploy import configure

API = "https://abc123.execute-api.eu-west-3.amazonaws.com"


class FakeWebhookEndpoints:
    """Stripe's webhook_endpoints service as the configure step uses it (localstripe lacks this API)."""

    def __init__(self) -> None:
        self.endpoints: dict[str, SimpleNamespace] = {}
        self.created = 0

    def list(self, params: dict[str, Any]) -> SimpleNamespace:
        return SimpleNamespace(data=list(self.endpoints.values()))

    def create(self, params: dict[str, Any]) -> SimpleNamespace:
        self.created += 1
        endpoint = SimpleNamespace(id=f"we_{self.created}", url=params["url"], secret=f"whsec_{self.created}",
                                   enabled_events=list(params["enabled_events"]))
        self.endpoints[endpoint.id] = endpoint
        return endpoint

    def update(self, endpoint_id: str, params: dict[str, Any]) -> SimpleNamespace:
        self.endpoints[endpoint_id].enabled_events = list(params["enabled_events"])
        return self.endpoints[endpoint_id]

    def delete(self, endpoint_id: str) -> SimpleNamespace:
        return self.endpoints.pop(endpoint_id)


@pytest.fixture
def aws() -> Any:
    with mock_aws():
        yield


def test_stripe_webhook_is_registered_once_and_its_secret_stored(aws: Any) -> None:
    endpoints = FakeWebhookEndpoints()
    stripe_client = SimpleNamespace(v1=SimpleNamespace(webhook_endpoints=endpoints))
    secrets = boto3.client("secretsmanager")
    said: list[str] = []

    first = configure.configure_stripe(stripe_client, secrets, "revenir/stripe", API + "/", "sk_test_1", said.append)
    second = configure.configure_stripe(stripe_client, secrets, "revenir/stripe", API, "sk_test_1", said.append)

    assert first == second == {"secret_key": "sk_test_1", "webhook_secret": "whsec_1", "webhook_endpoint_id": "we_1"}
    (endpoint,) = endpoints.endpoints.values()
    assert endpoint.url == API + "/v1/stripe/webhook"
    assert sorted(endpoint.enabled_events) == sorted(configure.STRIPE_EVENTS)
    stored = json.loads(secrets.get_secret_value(SecretId="revenir/stripe")["SecretString"])
    assert stored["webhook_secret"] == "whsec_1" and stored["secret_key"] == "sk_test_1"

    # a new secret key is stored; an endpoint whose secret we lost is replaced
    secrets.put_secret_value(SecretId="revenir/stripe", SecretString="{}")
    third = configure.configure_stripe(stripe_client, secrets, "revenir/stripe", API, "sk_test_2", said.append)
    assert third["webhook_secret"] == "whsec_2" and list(endpoints.endpoints) == ["we_2"]


def test_the_webhook_handles_exactly_the_registered_events() -> None:
    # the webhook handler is wiring: the events are told apart in the gift orders' service
    source = (configure.ROOT / "layers/revenir/revenir/vouchers/orders.py").read_text(encoding="utf-8")
    for event in configure.STRIPE_EVENTS:
        assert f'"{event}"' in source


def test_the_connect_webhook_is_registered_once_beside_the_platform_one(aws: Any) -> None:
    endpoints = FakeWebhookEndpoints()
    stripe_client = SimpleNamespace(v1=SimpleNamespace(webhook_endpoints=endpoints))
    secrets = boto3.client("secretsmanager")
    said: list[str] = []
    for _ in range(2):  # as `make configure` runs them, twice: nothing re-registered
        configure.configure_stripe(stripe_client, secrets, "revenir/stripe", API, "sk_test_1", said.append)
        configure.configure_stripe_connect(stripe_client, secrets, "revenir/stripe", API, said.append)
    assert endpoints.created == 2
    urls = sorted(e.url for e in endpoints.endpoints.values())
    assert urls == [API + "/v1/stripe/connect/webhook", API + "/v1/stripe/webhook"]
    stored = json.loads(secrets.get_secret_value(SecretId="revenir/stripe")["SecretString"])
    assert stored["webhook_secret"] == "whsec_1" and stored["connect_webhook_secret"] == "whsec_2"
    source = (configure.ROOT / "functions/vouchers/webhook.py").read_text(encoding="utf-8")
    assert '"connect_webhook_secret"' in source and configure.CONNECT_WEBHOOK_PATH in source


def test_ses_check_prints_dkim_records_until_verified() -> None:
    """GetEmailIdentity as SES documents it (moto answers without DKIM tokens)."""
    pending: dict[str, Any] = {"IdentityType": "DOMAIN", "VerifiedForSendingStatus": False,
               "DkimAttributes": {"SigningEnabled": True, "Status": "PENDING", "Tokens": ["tok1", "tok2", "tok3"]}}
    done = {**pending, "VerifiedForSendingStatus": True,
            "DkimAttributes": {**pending["DkimAttributes"], "Status": "SUCCESS"}}
    for answer, expected in ((pending, False), (done, True)):
        said: list[str] = []
        sesv2 = SimpleNamespace(get_email_identity=lambda answer=answer, **_: answer)
        assert configure.check_ses(sesv2, "revenir.example", said.append) is expected
        records = [line for line in said if "CNAME" in line]
        if expected:
            assert records == []
        else:
            assert records == [f"  tok{i}._domainkey.revenir.example  CNAME  tok{i}.dkim.amazonses.com"
                               for i in (1, 2, 3)]


def test_back_office_is_published_with_its_config(aws: Any, tmp_path: Any) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>Revenir</title>", encoding="utf-8")
    (tmp_path / "app.js").write_text("export {};", encoding="utf-8")
    s3 = boto3.client("s3", region_name="eu-west-3")
    s3.create_bucket(Bucket="back-office", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    settings = {"apiBase": API, "cognito": {"domain": "https://x.auth.eu-west-3.amazoncognito.com", "clientId": "c"}}
    keys = configure.publish_back_office(s3, None, "back-office", None, settings, lambda _: None, tmp_path)
    assert keys == ["app.js", "index.html", "admin/config.js"]
    head = s3.head_object(Bucket="back-office", Key="index.html")
    assert head["ContentType"] == "text/html"
    module = s3.get_object(Bucket="back-office", Key="admin/config.js")["Body"].read().decode()
    assert module.startswith("export default ") and module.rstrip().endswith(";")
    assert json.loads(module.removeprefix("export default ").rstrip().rstrip(";")) == settings


def test_parameters_are_updated_only_when_they_change() -> None:
    calls: list[dict[str, Any]] = []
    waiter = SimpleNamespace(wait=lambda **_: None)
    cloudformation = SimpleNamespace(update_stack=lambda **kw: calls.append(kw), get_waiter=lambda _: waiter)
    current = {"Stage": "dev", "PublicBaseUrl": "", "StripePublishableKey": "pk_test_replace_me"}
    wanted = {"PublicBaseUrl": API, "StripePublishableKey": "pk_test_real"}
    assert configure.update_parameters(cloudformation, "revenir-dev", current, wanted, lambda _: None)
    (call,) = calls
    assert call["UsePreviousTemplate"] is True
    assert {"ParameterKey": "Stage", "UsePreviousValue": True} in call["Parameters"]
    assert {"ParameterKey": "PublicBaseUrl", "ParameterValue": API} in call["Parameters"]
    assert not configure.update_parameters(cloudformation, "revenir-dev", {**current, **wanted}, wanted,
                                           lambda _: None)
    assert len(calls) == 1
