"""The offline end-to-end path: demo data → import → segments → campaign → export → self-check."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fake_embedder(fake_settings) -> None:
    """The campaign's knowledge lookups use the fast deterministic embedder."""


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    out = tmp_path / "demo"
    invoke("customers", "demo", "--out", str(out), "--customers", "300", "--orders", "3000")
    files = [str(out / f"{n}.csv") for n in ("customers", "orders", "consents")]
    report = json.loads(invoke("customers", "import", *files, "--json"))
    assert report["files"][0]["new"] == 300
    return out


def test_offline_campaign_flow(imported: Path, tmp_path: Path) -> None:
    counts = json.loads(invoke("segments", "--json"))["counts"]
    assert sum(counts.values()) == 300 and all(counts.values())
    plan = json.loads(invoke("campaign", "plan", "-p", "dormant", "--json", "--sample", "2"))
    assert plan["eligible"] > 0 and plan["cost"] == 0.0
    assert len(plan["samples"]) == 2 and plan["samples"][0]["verdict"] == "pass"
    run = json.loads(invoke("campaign", "run", "-p", "dormant", "--json"))
    assert run["audience"] == plan["eligible"]
    campaign = f"dormant-{date.today():%Y%m%d}"
    out = tmp_path / "results.csv"
    invoke("campaign", "export", campaign, "--out", str(out))
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == plan["eligible"] and {r["status"] for r in rows} == {"drafted"}
    status = json.loads(invoke("campaign", "status", campaign, "--json"))
    assert status["remaining"] == 0
    month = f"{date.today():%Y-%m}"
    assert "✅ 通过" in invoke("selfcheck", "--month", month)
    audit = tmp_path / "audit.csv"
    invoke("audit", "export", "--out", str(audit))
    with audit.open(encoding="utf-8-sig") as fh:
        kinds = [row["kind"] for row in csv.DictReader(fh)]
    assert kinds.count("draft_created") == plan["eligible"] and kinds[-1] == "campaign_run"


def test_consent_commands_and_bad_input(imported: Path) -> None:
    invoke("consent", "grant", "C000001", "location_use")
    invoke("consent", "withdraw", "C000001", "location_use")
    history = json.loads(invoke("consent", "show", "C000001", "--json"))
    assert [e["action"] for e in history if e["purpose"] == "location_use"][-1] == "withdrawn"
    result = runner.invoke(app, ["consent", "grant", "C999999", "location_use"])
    assert result.exit_code == 1 and "客户不存在" in result.output
    result = runner.invoke(app, ["selfcheck", "--month", "11/2026"])
    assert result.exit_code == 1 and "2026-11" in result.output
    result = runner.invoke(app, ["campaign", "plan", "-p", "lottery"])
    assert result.exit_code == 2 and "birthday" in result.output
