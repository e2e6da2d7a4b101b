"""Handlers' dependencies, built once at first use (docs/decisions.md, 6).

`dependency` is `functools.cache` for a zero-argument factory, made thread-safe: in Lambda a container serves
one request at a time, but the local runtime serves many at once from one process; there, concurrent first
requests wait for the one build instead of each building (and loading settings) their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Dependency(Generic[T]):
    def __init__(self, factory: Callable[[], T]):
        self._factory = factory
        self._lock = threading.Lock()
        self._built = False
        self._value: T | None = None
        self.__doc__ = factory.__doc__
        self.__name__ = getattr(factory, "__name__", "dependency")
        self.__module__ = factory.__module__

    def __call__(self) -> T:
        if not self._built:
            with self._lock:
                if not self._built:
                    self._value = self._factory()
                    self._built = True
        return self._value  # type: ignore[return-value]

    def cache_clear(self) -> None:
        """Build again at the next call (tests, a rotated setting)."""
        with self._lock:
            self._built, self._value = False, None


def dependency(factory: Callable[[], T]) -> Dependency[T]:
    return Dependency(factory)


__all__ = ["Dependency", "dependency"]
