"""Process-wide values built once, however many threads ask for them at the same moment.

Usage::

    from copilot.once import once

    @once
    def tokenizer() -> Tokenizer:      # built by the first caller; the others wait for it
        return build_tokenizer()

`functools.cache` lets every thread that calls before the first build finishes run its own
build: harmless for a pure value, wrong for one whose build has side effects (words added to a
shared tokenizer) and wasteful for a costly one (dictionaries read by a subprocess). A value
built here is built exactly once; once built, it is returned without taking the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

T = TypeVar("T")


def once(build: Callable[[], T]) -> Callable[[], T]:
    """`build()` run on the first call, under a lock, and its value returned to every call. If
    it raises, nothing is kept and the next call tries again."""
    lock = threading.Lock()
    built: list[T] = []

    @wraps(build)
    def value() -> T:
        if not built:
            with lock:
                if not built:
                    built.append(build())
        return built[0]

    return value
