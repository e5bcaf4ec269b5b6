"""`siyu campaign run --workers N` on SQLite: today's single-process run, and it says so."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from copilot.cli import app
from copilot.cli.campaign import SQLITE_ONE_WORKER
from copilot.store.engine import Database
from copilot.store.schema import campaign_claims, campaign_results


def test_more_workers_on_sqlite_run_one_and_say_so(
    demo_db: Database, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.environ.get("SIYU_TEST_DATABASE_URL"):
        pytest.skip("the SQLite behaviour")
    monkeypatch.setenv("SIYU_DATABASE_URL", db_url)
    monkeypatch.setenv("SIYU_EMBEDDING_PROVIDER", "fake")
    result = CliRunner().invoke(
        app,
        ["campaign", "run", "-p", "koc", "--campaign", "k", "--workers", "3", "--json"],
        env={"SIYU_LANGUAGE": "zh"},
    )
    assert result.exit_code == 0, result.output
    assert "SQLite 只支持单进程起草：本次按 1 个 worker 运行" in " ".join(result.stderr.split())
    assert SQLITE_ONE_WORKER.render("en").startswith("SQLite drafts a campaign in one process")
    with demo_db.begin() as conn:
        written = conn.execute(select(func.count()).select_from(campaign_results)).scalar_one()
        claims = conn.execute(select(func.count()).select_from(campaign_claims)).scalar_one()
    summary = json.loads(result.stdout)
    assert summary["audience"] == written > 0 and sum(summary["counts"].values()) == written
    assert claims == 0  # one process, no leases
