"""Processes sharing one home open the embedded knowledge store at the same moment (campaign
workers started with --workers, two commands at once): every one of them gets the store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

OPEN = """
import sys
from copilot.config import Settings
from copilot.retrieval.store import open_store

store = open_store(Settings(home=sys.argv[1], embedding={"provider": "fake"}))
print("opened", store.count())
"""


@pytest.mark.parametrize("round_", [1, 2])
def test_four_processes_open_a_new_store_at_once(tmp_path: Path, round_: int) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [p.communicate(timeout=300) for p in processes]
    failed = [err[-600:] for (out, err) in outcomes if not out.startswith("opened 0")]
    assert failed == []
