"""Processes appending to one SQLite audit log at once (as `siyu api --workers N` does) wait for
each other on the database lock: no event is lost and the hash chain stays unbroken."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from copilot.audit.chain import verify
from copilot.store.engine import Database

pytestmark = pytest.mark.integration

WRITER = """
import sys
from copilot.audit.log import AuditLog, HumanAction
from copilot.store.engine import Database

url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
audit = AuditLog(Database(url), redactor=lambda text: text)
for i in range(count):
    audit.record(HumanAction(draft_id=f"{name}-{i}", action="accepted"), actor=name)
"""


def test_writer_processes_build_one_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'siyu.db'}"
    Database(url).dispose()  # migrated once, before the writers start
    writers, each = 4, 60
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, f"writer-{n}", str(each)])
        for n in range(writers)
    ]
    assert [proc.wait(timeout=120) for proc in procs] == [0] * writers
    db = Database(url)
    report = verify(db)
    assert report.ok, report.problems
    assert report.events == report.head_id == writers * each
    db.dispose()
