from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from tests.unit.evals.conftest import write

runner = CliRunner()
ZH, EN = {"SIYU_LANGUAGE": "zh"}, {"SIYU_LANGUAGE": "en"}


def flat(text: str) -> str:
    """Output without whitespace: the terminal wraps long lines anywhere."""
    return "".join(text.split())


MESSAGES = """\
suite: msgs
task: message
knowledge: {knowledge}
defaults:
  vars: {{consents: [birthday_greeting]}}
cases:
  - id: birthday
    vars: {{playbook: birthday, fields: {{name: 王女士}}}}
    assert:
      - {{type: contains, value: {expected}}}
      - {{type: verdict-is, value: pass}}
  - id: no-consent
    vars: {{playbook: birthday, fields: {{name: 王女士}}, consents: []}}
    assert:
      - {{type: verdict-is, value: block, rule: consent}}
"""


@pytest.fixture(autouse=True)
def _fake_embedder(fake_settings) -> None:
    """CLI runs here use the fast deterministic embedder."""


@pytest.fixture
def suite_dir(tmp_path: Path) -> Path:
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    write(knowledge, "faq.csv", "question,answer\n生日券什么时候发？,生日当月1日发放。\n")
    folder = tmp_path / "suites"
    folder.mkdir()
    return folder


def _suite(folder: Path, expected: str = "生日快乐") -> Path:
    return write(folder, "msgs.yaml", MESSAGES.format(knowledge="../kb", expected=expected))


def test_passing_run_writes_reports_and_stores_the_run(suite_dir: Path, siyu_home: Path) -> None:
    path = _suite(suite_dir)
    reports = suite_dir.parent / "reports"
    args = ["eval", str(path), "--report-dir", str(reports), "-j", "2"]
    result = runner.invoke(app, args, env=ZH)
    assert result.exit_code == 0, result.output
    assert "2/2通过(100.0%)" in flat(result.stdout) and "passed" not in result.stdout
    assert sorted(p.name for p in reports.iterdir()) == ["junit.xml", "report.html", "report.md"]
    (stored,) = (siyu_home / "evals" / "runs").glob("*.json")
    record = json.loads(stored.read_text(encoding="utf-8"))
    assert record["prompts"] == {"message.zh": record["prompts"]["message.zh"]}
    assert record["model"] == "模板模式" and record["git_rev"]


def test_failure_exits_1_and_names_case_and_reason(suite_dir: Path) -> None:
    result = runner.invoke(app, ["eval", str(_suite(suite_dir, expected="新年快乐"))])
    assert result.exit_code == 1
    assert "msgs/birthday" in flat(result.stdout) and "新年快乐" in flat(result.stdout)


def test_baseline_last_reports_regressions_only(suite_dir: Path) -> None:
    path = _suite(suite_dir)
    assert runner.invoke(app, ["eval", str(path), "--save-baseline"]).exit_code == 0
    _suite(suite_dir, expected="新年快乐")
    result = runner.invoke(app, ["eval", str(path), "--baseline", "last"], env=ZH)
    assert result.exit_code == 1
    assert "**回退:1**" in flat(result.stdout) and "regressions" not in result.stdout
    assert "`msgs/birthday`pass→fail" in flat(result.stdout)
    # the same failure against the failing run is not a regression
    again = runner.invoke(app, ["eval", str(path), "--baseline", "last"])
    assert again.exit_code == 0, again.output
    saved = runner.invoke(app, ["eval", str(path), "--baseline", "saved", "--json"])
    assert saved.exit_code == 1
    assert json.loads(saved.stdout)["cases"][0]["status"] == "fail"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--baseline", "last"], "no earlier run"),
        (["--filter", "nothing-matches"], "matched no case"),
        (["--backend", "openai"], "SIYU_LLM_BASE_URL"),
        (["--backend", "gpt"], "auto | template | openai"),
    ],
)
def test_configuration_errors_exit_2(suite_dir: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["eval", str(_suite(suite_dir)), *args], env=EN)
    assert result.exit_code == 2
    assert flat(message) in flat(result.output)


def test_malformed_suite_exits_2_with_line_and_column(suite_dir: Path) -> None:
    path = write(suite_dir, "bad.yaml", "suite: x\ncases:\n  - id: [a\n")
    result = runner.invoke(app, ["eval", str(path)])
    assert result.exit_code == 2
    assert "bad.yaml:4:1" in flat(result.output)


def test_missing_knowledge_folder_exits_2(suite_dir: Path) -> None:
    path = write(suite_dir, "m.yaml", MESSAGES.format(knowledge="../nowhere", expected="x"))
    result = runner.invoke(app, ["eval", str(path)], env=EN)
    assert result.exit_code == 2
    assert "knowledgefoldernotfound" in flat(result.output) and "知识库" not in result.output
    chinese = runner.invoke(app, ["eval", str(path)], env=ZH)
    assert "找不到知识库文件夹" in chinese.output and "not found" not in chinese.output
