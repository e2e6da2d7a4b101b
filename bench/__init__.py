"""Benchmarks: figures reported as ratios measured within one run (`python -m bench`, `make bench`).

Machines are noisy: never compare absolute times across runs, only the ratios one run prints.
"""

from __future__ import annotations

import os


def offline_aws(**extra: str) -> None:
    """The environment every bench runs in: moto in-process (no endpoint override), fake credentials, no
    metrics flushed; `extra` adds what a bench's functions need (e.g. Stripe's local secrets)."""
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "eu-west-3",
                       "POWERTOOLS_METRICS_DISABLED": "true", **extra})
