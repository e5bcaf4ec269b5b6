from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from tests.conftest import FIXTURES, REPO

runner = CliRunner()
ZH, EN = {"SIYU_LANGUAGE": "zh"}, {"SIYU_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _fake_embedder(fake_settings) -> None:
    """All CLI tests here use the fast deterministic embedder."""


def test_ingest_then_search_json_shape() -> None:
    result = runner.invoke(app, ["ingest", str(REPO / "knowledge"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {f["status"] for f in report["files"]} == {"added"}
    result = runner.invoke(app, ["search", "退货运费谁出", "--json", "-k", "2"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["query"] == "退货运费谁出"
    assert len(payload["hits"]) == 2
    assert set(payload["hits"][0]) == {"id", "citation", "text", "source", "score", "metadata"}
    assert "运费" in payload["hits"][0]["text"]


def test_search_queries_file_emits_one_json_line_per_query(tmp_path: Path) -> None:
    runner.invoke(app, ["ingest", str(REPO / "knowledge")])
    queries = tmp_path / "q.txt"
    queries.write_text("会员日是哪天\n\nhow long does shipping take\n", encoding="utf-8")
    result = runner.invoke(app, ["search", "--queries", str(queries), "--type", "faq"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["会员日是哪天", "how long does shipping take"]
    assert all(h["metadata"]["doc_type"] == "faq" for line in lines for h in line["hits"])


def test_ingest_reports_bad_files_and_keeps_going() -> None:
    result = runner.invoke(app, ["ingest", str(FIXTURES / "kb_broken")], env=ZH)
    assert result.exit_code == 1  # something was not ingested
    assert "setup.pdf" in result.stdout and "PDF" in result.stdout
    assert "broken_rows.csv 第 3 行" in result.stdout
    assert "bogus_type.md [doc_type]" in result.stdout
    assert "long_cell.csv 第 3 行 [answer]" in result.stdout
    assert "broken_xml.docx" in result.stdout and "XML" in result.stdout
    flat = " ".join(result.stdout.split())  # the terminal wraps long lines
    assert "6 个文件失败,7 行跳过" in flat and "files failed" not in flat
    assert "Traceback" not in result.output


def test_ingest_summary_in_english() -> None:
    result = runner.invoke(app, ["ingest", str(FIXTURES / "kb_broken")], env=EN)
    flat = " ".join(result.stdout.split())
    assert "broken_rows.csv row 3" in flat and "long_cell.csv row 3 [answer]" in flat
    assert "6 files failed, 7 rows skipped" in flat and "文件" not in flat


def test_ingest_json_report_and_exit_code() -> None:
    broken = runner.invoke(app, ["ingest", str(FIXTURES / "kb_broken"), "--json"])
    report = json.loads(broken.stdout)
    assert broken.exit_code == 1
    assert (report["ok"], report["files_failed"], report["rows_skipped"]) == (False, 6, 7)
    docx = next(f for f in report["files"] if f["source"].endswith("broken_xml.docx"))
    assert docx["status"] == "skipped" and "XML" in docx["problems"][0]["message"]
    clean = runner.invoke(app, ["ingest", str(REPO / "knowledge"), "--json"])
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout)["ok"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search"], "give a query"),
        (["search", "x", "--queries", "q.txt"], "give a query"),
        (["search", "x", "--type", "nonsense"], "invalid filter"),
        (["search", "x", "--on", "2026-13-01"], "invalid filter"),
        (["search", "--queries", "missing.txt"], "queries file not found"),
    ],
)
def test_search_usage_errors_are_clear(args: list[str], message: str) -> None:
    result = runner.invoke(app, args, env=EN)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_kb_stats_json() -> None:
    runner.invoke(app, ["ingest", str(FIXTURES / "kb_broken")])
    result = runner.invoke(app, ["kb", "stats", "--json"])
    stats = json.loads(result.stdout)
    assert stats["chunks"] == 9 and stats["documents"] == 5 and stats["embedder"] == "siyu-fake"
