"""A campaign run killed with SIGKILL resumes with --resume: no duplicates, no gaps."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.customers.catalog import load_catalog
from copilot.customers.demo import DemoGenerator
from copilot.customers.importer import Importer
from copilot.store.engine import Database
from tests.conftest import REPO

pytestmark = pytest.mark.integration
RUN = [
    sys.executable,
    "-c",
    "from copilot.cli import app; app()",
    "campaign",
    "run",
    "-p",
    "dormant",
]


def rows(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM campaign_results").fetchone()[0])
        except sqlite3.OperationalError:  # tables not created yet
            return 0


def test_sigkill_then_resume_has_no_duplicates_and_no_gaps(siyu_home: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SIYU_HOME": str(siyu_home), "SIYU_EMBEDDING_PROVIDER": "fake"}
    catalog = load_catalog(REPO / "knowledge" / "products.csv")
    DemoGenerator(list(catalog.values()), seed=11).write(tmp_path, customers=1000, orders=10000)
    db_path = siyu_home / "siyu.db"
    db = Database(f"sqlite:///{db_path}")
    files = [tmp_path / f"{n}.csv" for n in ("customers", "orders", "consents")]
    Importer(db, purposes=Settings().guardrails.purpose_fields).run(
        files, dry_run=False, errors_path=tmp_path / "e.csv"
    )
    db.dispose()

    victim = subprocess.Popen(
        [*RUN, "--campaign", "k1", "--concurrency", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while rows(db_path) < 25 and time.monotonic() < deadline and victim.poll() is None:
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL, (
        victim.stderr.read().decode() if victim.stderr else ""
    )
    killed_at = rows(db_path)

    resumed = subprocess.run(
        [*RUN, "--campaign", "k1", "--resume", "--json"], env=env, capture_output=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr.decode()

    with sqlite3.connect(db_path) as conn:
        audience_json = conn.execute("SELECT audience FROM campaigns WHERE id = 'k1'").fetchone()[0]
        stored = [
            r[0]
            for r in conn.execute(
                "SELECT customer_id FROM campaign_results WHERE campaign_id = 'k1'"
            )
        ]
        audit = [
            r[0]
            for r in conn.execute("SELECT subject FROM audit_events WHERE kind = 'draft_created'")
        ]
    audience = json.loads(audience_json)
    assert 0 < killed_at < len(audience), "the run was not interrupted part-way"
    assert sorted(stored) == sorted(audience)  # 0 missing, 0 duplicates
    assert max(Counter(audit).values()) == 1 and len(audit) == len(audience)
