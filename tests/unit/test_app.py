"""The Copilot application object: cheap to build, each part built once on first use, the one
place the app is assembled, and one eval run behind both the CLI and the workbench."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.app import Copilot
from copilot.cli import app as cli
from copilot.config import Settings
from copilot.evals.session import EvalOutcome, EvalRequest
from copilot.ui import evals_tab
from copilot.ui.evals_tab import EvalsTab
from copilot.ui.i18n import Texts
from copilot.ui.workbench import Workbench
from tests.conftest import REPO
from tests.unit.evals.conftest import write

HEAVY = {"chromadb", "gradio", "langchain", "langchain_core", "jieba", "sentence_transformers"}
PROBE = """
import json, sys
from copilot.app import Copilot
from copilot.config import Settings
app = Copilot.from_settings(Settings())
{use}
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""


def _top_modules_after(use: str, home: Path) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(use=use)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"SIYU_HOME": str(home), "PATH": "/usr/bin:/bin"},
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_building_a_copilot_imports_no_heavy_stack(tmp_path: Path) -> None:
    loaded = _top_modules_after("", tmp_path)
    assert "copilot" in loaded
    assert loaded.isdisjoint(HEAVY), loaded & HEAVY


def test_the_database_parts_do_not_start_the_retrieval_stack(tmp_path: Path) -> None:
    loaded = _top_modules_after("app.consent.history('C1'); app.schedule.communities()", tmp_path)
    assert "sqlalchemy" in loaded
    assert loaded.isdisjoint(HEAVY), loaded & HEAVY


def test_each_part_is_built_once_and_shared(fake_settings: Settings) -> None:
    app = Copilot.from_settings(fake_settings)
    assert app.db is app.db and app.audit.db is app.db
    assert app.consent.audit is app.audit
    assert app.schedule.audit is app.audit
    assert app.retriever.store is app.store and app.ingestor.store is app.store
    assert app.approved.ingestor is app.ingestor
    drafter, runner = app.campaigns(app.playbook("birthday"))
    assert runner.db is app.db and runner.consent is app.consent
    assert drafter is not app.drafter  # the playbook's guardrail overrides get their own


CONSTRUCTORS = re.compile(
    r"\b(Database|AuditLog|ConsentRegistry|\w*Retriever|PostSchedule|Ingestor|ApprovedAnswers"
    r"|Campaigns|VectorStore)\(|open_store\(|Drafter\.from_settings|load_catalog\(|playbook_runner"
)


@pytest.mark.parametrize("face", ["cli", "ui"])
def test_the_faces_assemble_nothing_themselves(face: str) -> None:
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sorted((REPO / "copilot" / face).glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CONSTRUCTORS.search(line)
    ]
    assert found == []


SUITE = """\
suite: msgs
task: message
knowledge: ../kb
defaults:
  vars: {consents: [birthday_greeting]}
cases:
  - id: birthday
    vars: {playbook: birthday, fields: {name: 王女士}}
    assert:
      - {type: contains, value: 生日快乐}
"""


def test_the_cli_and_the_workbench_run_evals_through_one_function(
    fake_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge, suites = tmp_path / "kb", tmp_path / "suites"
    knowledge.mkdir()
    suites.mkdir()
    write(knowledge, "faq.csv", "question,answer\n生日券什么时候发？,生日当月1日发放。\n")
    path = write(suites, "msgs.yaml", SUITE)
    calls: list[EvalRequest] = []
    real = Copilot.run_evals

    def spy(self: Copilot, request: EvalRequest, **progress: object) -> EvalOutcome:
        calls.append(request)
        return real(self, request, **progress)  # type: ignore[arg-type]

    monkeypatch.setattr(Copilot, "run_evals", spy)
    monkeypatch.setattr(evals_tab, "bundled_dir", lambda name: suites)

    result = CliRunner().invoke(cli, ["eval", str(path)])
    assert result.exit_code == 0, result.output
    tab = EvalsTab(Workbench(Copilot.from_settings(fake_settings)), Texts("en"))
    summary, failing, report = tab.run(["msgs"], "last", progress=lambda *a, **k: None)

    assert [c.baseline for c in calls] == [None, "last"]
    assert [[s.name for s in c.suites] for c in calls] == [["msgs"], ["msgs"]]
    assert failing == [] and report is not None and report.endswith("report.html")
    assert "1/1" in summary
    assert tab.t("no_baseline") not in summary  # compared with the run the CLI stored
    assert len(tab.app.eval_runs.run_ids()) == 2
