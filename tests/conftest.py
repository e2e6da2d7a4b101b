"""Shared fixtures. Integration tests run the real handlers behind the local gateway, on moto in-process,
with every resource created from template.yaml (never retyped)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

# Before anything imports boto3: a fake account, and no endpoint override (mock_aws intercepts AWS URLs).
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "eu-west-3",
    "POWERTOOLS_METRICS_NAMESPACE": "Revenir", "POWERTOOLS_TRACE_DISABLED": "1",
    "REVENIR_JWT_SECRET": "test-secret-0123456789-0123456789-abcdef",
})


@pytest.fixture
def aws() -> Iterator[Any]:
    """moto in-process, serialised like real DynamoDB, with the template's resources created."""
    import boto3
    from moto import mock_aws

    from local import emulator
    from local.template import load

    emulator.serialise_in_process_requests()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        emulator.create_resources(load(), lambda service: boto3.client(service))  # type: ignore[call-overload]
        emulator.CALLS.clear()
        yield emulator


@pytest.fixture
def lambdas(aws: Any) -> Any:
    from local.lambdas import LocalLambdas
    from local.template import load

    invoker = LocalLambdas(load())
    aws.route_lambda_invocations(invoker.invoke)
    aws.waits_follow_the_local_clock()
    return invoker


@pytest.fixture
def gateway(lambdas: Any) -> Any:
    from local.gateway import Gateway

    return Gateway(lambdas.template, lambdas)


@pytest.fixture
def api(gateway: Any) -> Any:
    """An HTTP client for the local API Gateway (in-process WSGI)."""
    from werkzeug.test import Client

    return Client(gateway)


@pytest.fixture
def token() -> Any:
    """token("demo", "other") -> a bearer header for a caller managing those properties."""
    from local import tokens

    def make(*property_ids: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens.mint(list(property_ids))}"}
    return make


@pytest.fixture
def demo(gateway: Any) -> str:
    """The demo property (the seeds' gîtes and options, without demo codes); returns its admin token."""
    from local import demo as demo_module

    return demo_module.seed(gateway, sample_data=False)


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    from revenir.core import clock

    clock.reset()
    yield
    clock.reset()
