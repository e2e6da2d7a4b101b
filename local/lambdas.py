"""Runs our Lambda handlers in this process, as the Lambda runtime would: module, handler, context."""

from __future__ import annotations

import importlib
import os
import threading
import time
import uuid
from typing import Any

from local.template import Function, Template
from local.worker import LambdaContext  # one context class for in-process and instance invocations


class LocalLambdas:
    """Imports each function's module as Lambda does (CodeUri + Handler) and invokes it."""

    def __init__(self, template: Template):
        self.template = template
        self._handlers: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._instances: dict[str, threading.Lock] = {}
        apply_environment(template)

    def handler(self, fn: Function) -> Any:
        with self._lock:
            if fn.logical_id not in self._handlers:
                module = importlib.import_module(fn.module)
                self._handlers[fn.logical_id] = getattr(module, fn.attribute)
            return self._handlers[fn.logical_id]

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        fn = self.template.function_by_name(name)
        context = LambdaContext(
            function_name=fn.name, invoked_function_arn=fn.arn, aws_request_id=str(uuid.uuid4()),
            log_group_name=f"/aws/lambda/{fn.name}", deadline=time.monotonic() + fn.timeout,
        )
        # One event at a time per function, as one Lambda instance: a Powertools resolver keeps the event it is
        # handling in `app.current_event`, which a concurrent request would replace (its claims included).
        instance = self._instances.setdefault(fn.logical_id, threading.Lock())
        alone = instance.acquire(timeout=120)  # not the function's timeout: a cold start under load can exceed it
        try:
            return self.handler(fn)(event, context)
        finally:
            if alone:
                instance.release()


def apply_environment(template: Template) -> None:
    """Every function's environment, as one process environment: names must not clash across functions."""
    merged: dict[str, str] = {}
    for fn in template.functions.values():
        for key, value in fn.environment.items():
            if merged.get(key, value) != value:
                raise RuntimeError(f"{key} differs between functions: the local runtime shares one process")
            merged[key] = value
    os.environ.update(merged)
