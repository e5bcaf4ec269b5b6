"""20 concurrent clients (locust, headless, in its own process) ask a real uvicorn server for
template-mode replies — one process, then `siyu api` with two worker processes on one SQLite
database: every request succeeds and is recorded once, in one unbroken audit chain. Speed is
measured by ``python -m benchmarks.api_load``, not here."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.api_load import api_process, prepared_copilot, run_load, serving
from copilot.app import Copilot
from copilot.audit.chain import verify
from copilot.config import Settings

pytestmark = pytest.mark.integration


def test_twenty_concurrent_clients_get_replies_without_errors(tmp_path: Path) -> None:
    app = prepared_copilot(tmp_path / "home", embedder="fake")
    with serving(app) as host:
        result = run_load(host, users=20, seconds=8, workdir=tmp_path)
    assert result.requests > 0
    assert result.failures == 0
    drafted = sum(1 for _ in app.audit.events(kinds={"draft_created"}))
    assert drafted >= result.requests  # one event per suggestion, at least one per reply
    app.db.dispose()


def test_worker_processes_serve_twenty_clients_into_one_audit_chain(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with api_process(home, workers=2, embedder="fake") as (url, _pid):
        result = run_load(url, users=20, seconds=6, workdir=tmp_path)
    assert result.requests > 0
    assert result.failures == 0
    app = Copilot.from_settings(Settings(home=home, embedding={"provider": "fake"}))
    drafted = sum(1 for _ in app.audit.events(kinds={"draft_created"}))
    assert drafted >= result.requests
    report = verify(app.db)
    assert report.ok, report.problems
    assert report.events == report.head_id  # no event lost or out of the chain
    app.db.dispose()
