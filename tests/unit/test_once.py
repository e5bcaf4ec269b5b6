"""copilot.once: a value built once per process, whatever the threads do."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from copilot.once import once


def test_threads_asking_at_once_wait_for_one_build() -> None:
    builds: list[int] = []
    start = threading.Barrier(8)

    @once
    def value() -> object:
        builds.append(1)
        time.sleep(0.05)  # long enough for every other thread to arrive meanwhile
        return object()

    def ask() -> object:
        start.wait()
        return value()

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: ask(), range(8)))

    assert len(builds) == 1
    assert all(item is got[0] for item in got)
    assert value() is got[0]


def test_a_failed_build_keeps_nothing_and_is_tried_again() -> None:
    attempts: list[int] = []

    @once
    def value() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("dictionary not readable")
        return "built"

    with pytest.raises(OSError, match="dictionary not readable"):
        value()
    assert value() == "built"
    assert value() == "built"
    assert len(attempts) == 2


# Run in a fresh process, where nothing is built yet: each table's inner step is slowed down and
# counted while four threads ask for the table at the same moment.
_BUILD_RACE = """
import sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from copilot.guardrails import compliance, normalize

calls = []
def slowed(inner):
    def run(*args):
        calls.append(inner.__name__)
        time.sleep(0.1)
        return inner(*args)
    return run

normalize._t2s_entries = slowed(normalize._t2s_entries)
compliance.prompt_rules = slowed(compliance.prompt_rules)
start = threading.Barrier(4)
def ask(table):
    start.wait()
    return table()
for table in (normalize._t2s_trigger, compliance.prompt_ngrams):
    with ThreadPoolExecutor(4) as pool:
        assert len({id(value) for value in pool.map(lambda _: ask(table), range(4))}) == 1
print(sorted(calls))
"""


def test_the_guardrails_costly_tables_are_built_once() -> None:
    """The tables that drafting threads used to build side by side at their first draft."""
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_RACE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["['_t2s_entries',", "'prompt_rules']"]
