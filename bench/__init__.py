"""Benchmarks: figures reported as ratios measured within one run (`python -m bench`, `make bench`).

Machines are noisy: never compare absolute times across runs, only the ratios one run prints.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any


def offline_aws(**extra: str) -> None:
    """The environment every bench runs in: moto in-process (no endpoint override), fake credentials, no
    metrics flushed; `extra` adds what a bench's functions need (e.g. Stripe's local secrets)."""
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "eu-west-3",
                       "POWERTOOLS_METRICS_DISABLED": "true", **extra})


@contextlib.contextmanager
def demo_stack(**moto_config: Any) -> Iterator[SimpleNamespace]:
    """The stack the in-process benches measure: moto (serialised like DynamoDB) with the template's
    resources, the real handlers behind the local gateway, the demo property seeded, an HTTP client and an
    admin header. Yields template, lambdas, gateway, client, admin and table."""
    import boto3
    from moto import mock_aws
    from werkzeug.test import Client

    from local import demo, emulator, fastdb
    from local.gateway import Gateway
    from local.lambdas import LocalLambdas
    from local.template import load

    offline_aws()
    emulator.serialise_in_process_requests()
    fastdb.install()  # as `make run` does: moto's transactions otherwise copy every table, stream included
    with mock_aws(config=moto_config or None):  # type: ignore[arg-type]
        template = load()
        emulator.create_resources(template, lambda service: boto3.client(service))  # type: ignore[call-overload]
        lambdas = LocalLambdas(template)
        gateway = Gateway(template, lambdas)
        admin = {"Authorization": f"Bearer {demo.seed(gateway, sample_data=False)}"}
        yield SimpleNamespace(template=template, lambdas=lambdas, gateway=gateway, client=Client(gateway),
                              admin=admin, table=next(iter(template.tables)))
