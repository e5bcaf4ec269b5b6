from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from copilot.cli import guard

app = typer.Typer()
guard.register(app)
runner = CliRunner()

PROMO = {
    "id": "p1",
    "task": "post",
    "text": "限时秒杀！满299减50，快下单。",
    "community": "g1",
    "post_type": "promo",
    "scheduled_at": "2026-11-10T10:00:00+08:00",
    "evidence": ["满299减50"],
    "history": [{"scheduled_at": "2026-11-09T10:00:00+08:00", "text": "今晚直播间秒杀，¥99抢购"}],
}
REPLY = {"id": "r1", "task": "reply", "text": "您好，快递已发出。"}


def write(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_check_outputs_the_public_shape(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", write(tmp_path, json.dumps(PROMO)), "--json"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert set(row) == {"id", "verdict", "findings", "marketing"}
    assert row["verdict"] == "block"
    assert set(row["findings"][0]) == {"rule", "severity", "start", "end", "text", "message", "fix"}
    assert set(row["marketing"]) == {"is_marketing", "score", "sentence_share", "window_share"}


@pytest.mark.parametrize(
    ("bad_line", "reported"),
    [
        ("{not json", "in.jsonl:2"),
        (json.dumps({"id": "x", "task": "tweet", "text": "hi"}), "task"),
        (json.dumps({"id": "x", "task": "reply"}), "text"),
        (json.dumps({**REPLY, "colour": "red"}), "colour"),
    ],
)
def test_malformed_lines_are_reported_and_the_rest_checked(
    tmp_path: Path, bad_line: str, reported: str
) -> None:
    path = write(tmp_path, json.dumps(REPLY), bad_line, json.dumps(PROMO))
    result = runner.invoke(app, ["check", path, "--json"])
    assert result.exit_code == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["r1", "p1"]
    assert reported in result.stderr


def test_check_reads_stdin() -> None:
    result = runner.invoke(app, ["check", "-", "--json"], input=json.dumps(REPLY) + "\n")
    assert json.loads(result.stdout)["verdict"] == "pass"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    assert "nope.jsonl" in result.stderr


@pytest.mark.parametrize(
    ("args", "keys"),
    [(["--json"], {"id", "entities"}), (["--redact", "--json"], {"id", "entities", "redacted"})],
)
def test_pii_scan_shape(tmp_path: Path, args: list[str], keys: set[str]) -> None:
    line = json.dumps({"id": "m1", "text": "我的手机13812345678"}, ensure_ascii=False)
    result = runner.invoke(app, ["pii", "scan", write(tmp_path, line), *args])
    row = json.loads(result.stdout)
    assert set(row) == keys
    assert row["entities"] == [
        {"type": "CN_MOBILE", "start": 4, "end": 15, "text": "13812345678", "score": 1.0}
    ]
    if "redacted" in row:
        assert row["redacted"] == "我的手机[手机号]"


def test_human_output_names_rule_and_fix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", write(tmp_path, json.dumps(PROMO))])
    assert "block" in result.stdout and "marketing" in result.stdout and "→" in result.stdout
