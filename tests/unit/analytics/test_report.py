"""`siyu report --json` figures against a hand computation on the fixture log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from copilot.analytics.report import build_report, month_bounds
from copilot.cli import app
from copilot.errors import InputError
from copilot.store.engine import Database


def _report(db: Database, month: str = "2026-11", *extra: str) -> dict[str, Any]:
    runner = CliRunner()
    result = runner.invoke(
        app, ["report", "--month", month, "--json", *extra], env={"SIYU_DATABASE_URL": db.url}
    )
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_month_totals_match_the_hand_computation(fixture_db: Database) -> None:
    report = _report(fixture_db)
    totals = report["totals"]
    # d1..d6 shown; d1 accepted (its later rejection is not its first decision), d2 edited,
    # d3 rejected; d4..d6 undecided; d2 needs a human; decisions after 30, 60 and 120 s;
    # 你好 -> 您好呀 is one substitution and one insertion.
    assert totals == {
        "shown": 6, "accepted": 1, "edited": 1, "rejected": 1, "needs_human": 1,
        "decided": 3, "undecided": 3, "accepted_share": 0.3333, "edited_share": 0.3333,
        "rejected_share": 0.3333, "needs_human_share": 0.1667, "mean_decision_seconds": 70.0,
        "mean_edit_distance": 2.0,
    }  # fmt: skip
    assert report["integrity"]["ok"] is True
    assert report["integrity"]["chain_ok"] is True


def test_slices_by_time_and_dimension(fixture_db: Database) -> None:
    report = _report(fixture_db)
    shown = lambda key: {k: v["shown"] for k, v in report[key].items()}  # noqa: E731
    assert shown("by_day") == {"2026-11-02": 2, "2026-11-09": 1, "2026-11-10": 2, "2026-11-11": 1}
    assert shown("by_week") == {"2026-11-02": 2, "2026-11-09": 4}
    assert shown("by_task") == {"message": 3, "reply": 3}
    assert shown("by_prompt_version") == {"v1": 5, "v2": 1}
    assert shown("by_backend") == {"openai": 1, "template": 5}
    assert shown("by_agent") == {"alice": 2, "bob": 4}
    assert shown("by_community") == {"（无）": 6}
    assert report["by_agent"]["bob"]["rejected"] == 1
    assert report["by_agent"]["bob"]["mean_decision_seconds"] == 120.0
    assert report["by_week"]["2026-11-02"]["mean_edit_distance"] == 2.0
    faq, policy = report["by_source"]["faq.md"], report["by_source"]["policy.md"]
    assert (faq["shown"], faq["accepted"], faq["edited"], faq["rejected"]) == (2, 1, 1, 0)
    assert (policy["shown"], policy["accepted"], policy["edited"], policy["rejected"]) == (
        2, 0, 1, 1,
    )  # fmt: skip
    assert faq["mean_decision_seconds"] == 45.0
    assert report["reject_reasons"] == {"语气不对": 1}
    assert report["verdicts"] == {"pass": 4, "warn": 1, "block": 1}


def test_guardrails_posts_and_messages(fixture_db: Database) -> None:
    report = _report(fixture_db)
    assert report["rules"] == [
        {"rule": "consent", "verdict": "block", "count": 1},
        {"rule": "marketing_cap", "verdict": "warn", "count": 1},
        {"rule": "pii", "verdict": "block", "count": 1},
    ]
    assert report["overrides"] == [
        {"rule": "cadence", "kind": "post", "count": 1},
        {"rule": "pii", "kind": "reply", "count": 1},
    ]
    assert report["communities"] == [
        {
            "community": "宝妈群", "daily_cap": 1, "days_with_posts": 2, "posts": 3,
            "marketing_posts": 2, "max_posts_per_day": 2, "days_over_cap": 1,
            "marketing_share": 0.6667, "posts_per_day": 1.5,
        }
    ]  # fmt: skip
    assert report["messages"] == [
        {"week": "2026-11-09", "customers": 2, "messages": 3, "max_per_customer": 2,
         "per_customer": 1.5}
    ]  # fmt: skip


def test_empty_month_reports_zeros_and_says_why(fixture_db: Database) -> None:
    report = _report(fixture_db, "2026-09")
    assert report["empty"] is True
    assert report["totals"]["shown"] == 0
    assert report["totals"]["accepted_share"] is None
    assert report["by_day"] == {} and report["communities"] == [] and report["messages"] == []
    runner = CliRunner()
    shown = runner.invoke(
        app, ["report", "--month", "2026-09"], env={"SIYU_DATABASE_URL": fixture_db.url}
    )
    assert shown.exit_code == 0
    assert "本月没有审计事件" in shown.stdout


def _damage(db: Database, event_id: int) -> None:
    """What someone with file or superuser access could do: lift the refusal, garble a payload."""
    lift = {
        "sqlite": "DROP TRIGGER audit_events_no_update",
        "postgresql": "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
    }
    with db.begin() as conn:
        conn.execute(text(lift[db.dialect]))
        conn.execute(
            text("UPDATE audit_events SET payload = '{broken' WHERE id = :i"), {"i": event_id}
        )


def test_damaged_log_is_reported_and_the_rest_still_counted(fixture_db: Database) -> None:
    _damage(fixture_db, 12)  # d6, the last 1:1 message
    report = _report(fixture_db)
    integrity = report["integrity"]
    assert integrity["ok"] is False
    assert (integrity["unreadable_rows"], integrity["unreadable_ids"]) == (1, [12])
    assert integrity["chain_ok"] is False
    assert any(p.startswith("12 altered") for p in integrity["chain_problems"])
    assert report["totals"]["shown"] == 5
    assert report["messages"][0]["customers"] == 1
    runner = CliRunner()
    shown = runner.invoke(
        app, ["report", "--month", "2026-11"], env={"SIYU_DATABASE_URL": fixture_db.url}
    )
    assert shown.exit_code == 0
    assert "审计日志有损坏" in shown.stdout


def test_html_page_is_self_contained_and_escapes_data(fixture_db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.html"
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["report", "--month", "2026-11", "--out", str(out)],
        env={"SIYU_DATABASE_URL": fixture_db.url},
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in page
    assert "宝妈群" in page and "语气不对" in page


def test_bad_month_is_an_input_error() -> None:
    with pytest.raises(InputError):
        month_bounds("2026-13")
    assert month_bounds("2026-12")[1].isoformat() == "2027-01-01T00:00:00"


def test_library_report_without_chain_check(fixture_db: Database) -> None:
    report = build_report(fixture_db, "2026-11")
    assert report.integrity.chain_checked is False
    assert report.totals.shown == 6


def test_markdown_rows_are_whole_lines(fixture_db: Database) -> None:
    runner = CliRunner()
    shown = runner.invoke(
        app, ["report", "--month", "2026-11"], env={"SIYU_DATABASE_URL": fixture_db.url}
    )
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert "| reply | 3 | 1 | 1 | 1 | 0 | 33.3% | 33.3% | 33.3% | 33.3% | 70.0 | 2.0 |" in lines
    assert "| 宝妈群 | 1 | 3 | 2 | 1.5 | 2 | 1 | 66.7% |" in lines
