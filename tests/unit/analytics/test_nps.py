"""NPS import (encodings, headers, bad rows, duplicates) and NPS figures by hand."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.analytics.nps import nps_report
from copilot.analytics.nps_import import NpsImporter
from copilot.cli import app
from copilot.errors import InputError
from copilot.messages import render
from copilot.store.engine import Database
from copilot.store.schema import customers

SURVEY = """客户编号,评分,日期,评论,社群
c1,10,2026-11-12,物流很快，客服耐心,宝妈群
c2,6,2026/11/05,物流太慢了,宝妈群
c3,8,2026-10-20,,
c1,9,2026-11-12,,宝妈群
c9,7,2026-11-01,,
c2,11,2026-11-06,,
c2,abc,2026-11-07,,
c3,5,2099-01-01,,
c3,3,,,
c3,0,2026-11-20,物流太慢，不想再买,宝妈群
"""


@pytest.fixture
def nps_db(fixture_db: Database) -> Database:
    with fixture_db.begin() as conn:
        conn.execute(customers.insert(), [
            {"id": "c1", "name": "王芳", "tier": "金卡"}, {"id": "c2", "name": "李娜", "tier": "银卡"},
            {"id": "c3", "name": "张伟", "tier": ""},
        ])  # fmt: skip
    return fixture_db


def _import(db: Database, path: Path, tmp_path: Path, dry_run: bool = False):  # type: ignore[no-untyped-def]
    importer = NpsImporter(db, clock=lambda: datetime(2026, 11, 30, 12))
    return importer.run(path, dry_run=dry_run, errors_path=tmp_path / "errors.csv")


def test_gbk_survey_imports_good_rows_and_names_bad_ones(nps_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(SURVEY.encode("gbk"))
    report = _import(nps_db, path, tmp_path)
    assert report.encoding == "gb18030"
    assert (report.rows, report.new, report.existing, report.errors) == (10, 4, 0, 6)
    problems = [(p.row, p.column) for p in report.problems]
    assert problems == [(5, "answered_on"), (6, "customer_id"), (7, "score"), (8, "score"),
                        (9, "answered_on"), (10, "answered_on")]  # fmt: skip
    assert "第 2 行" in render(report.problems[0].reason, "zh")
    assert render(report.problems[1].reason, "en") == "unknown customer 'c9'"
    assert report.errors_path is not None and report.errors_path.is_file()
    again = _import(nps_db, path, tmp_path)
    assert (again.new, again.existing) == (0, 4)  # importing twice changes nothing
    assert nps_report(nps_db).overall.answers == 4


def test_english_headers_utf8_bom_and_dry_run(nps_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("customer_id,score,date,comment,channel\nc1,9,2026-11-01,好,\n", "utf-8-sig")
    report = _import(nps_db, path, tmp_path, dry_run=True)
    assert (report.encoding, report.new, report.errors) == ("utf-8-sig", 1, 0)
    assert nps_report(nps_db).overall.answers == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,comment\nc1,好\n", "utf-8")
    with pytest.raises(InputError) as missing:
        _import(nps_db, bad, tmp_path)
    assert missing.value.render("en").startswith(f"{bad}:1: missing required columns")


def test_nps_figures_by_hand(nps_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, "utf-8")
    _import(nps_db, path, tmp_path)
    report = nps_report(nps_db)
    nps = lambda slices: {k: (v.answers, v.nps) for k, v in slices.items()}  # noqa: E731
    # scores 10, 6, 8, 0: one promoter, one passive, two detractors -> (1 - 2) / 4
    assert (report.overall.answers, report.overall.nps) == (4, -25.0)
    assert nps(report.by_month) == {"2026-10": (1, 0.0), "2026-11": (3, -33.3)}
    assert nps(report.by_community) == {"宝妈群": (3, -33.3), "（无）": (1, 0.0)}
    assert nps(report.by_segment) == {"金卡": (1, 100.0), "银卡": (1, -100.0), "（无）": (2, -50.0)}
    # 宝妈群 had 3 posts (11-03 ×2, 11-04) before each of its answers; c1 got 2 messages on 11-10
    assert nps(report.by_posts_30d) == {"0": (1, 0.0), "3–5": (3, -33.3)}
    assert nps(report.by_messages_30d) == {"0": (3, -66.7), "1–2": (1, 100.0)}
    assert report.themes[0].keyword == "物流"
    assert (report.themes[0].comments, report.themes[0].mean_score) == (3, 5.33)
    november = nps_report(nps_db, "2026-11")
    assert (november.overall.answers, november.overall.nps) == (3, -33.3)


def test_cli_nps_import_and_show(nps_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, "utf-8")
    env = {"SIYU_DATABASE_URL": nps_db.url}
    runner = CliRunner()
    imported = runner.invoke(app, ["nps", "import", str(path), "--json"], env=env)
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["errors"] == 6
    shown = runner.invoke(app, ["nps", "show", "--json"], env=env)
    assert json.loads(shown.stdout)["overall"]["nps"] == -25.0
    missing = runner.invoke(app, ["nps", "import", str(tmp_path / "none.csv")], env=env)
    assert missing.exit_code == 1 and "Traceback" not in missing.output
