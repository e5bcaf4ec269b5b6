"""Evals fixtures: hand-built draft results, fake assertion tools, and a drafter on fake parts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.drafting import Citation, Draft, Drafter, DraftResult, PromptRef
from copilot.evals import CaseResult, RunRecord
from copilot.evals.assertions import AssertionResult
from copilot.evals.checks import Outcome
from copilot.guardrails import Finding, Verdict
from copilot.guardrails.models import MarketingSummary
from copilot.llm.backend import Backend, Usage
from copilot.llm.template import TemplateBackend
from tests.unit.drafting.conftest import NOW, FakeRetriever

PROMPT = PromptRef(id="reply", version="1.0.0", hash="abc", language="zh")


def make_draft(
    text: str,
    *,
    sources: tuple[str, ...] = (),
    verdict: str = "pass",
    findings: tuple[tuple[str, str], ...] = (),
    needs_human: bool = False,
    share: float = 0.0,
    window: float | None = None,
) -> Draft:
    return Draft(
        text=text,
        citations=[Citation(id=f"K{i}", source=s, quote="…") for i, s in enumerate(sources, 1)],
        needs_human=needs_human,
        verdict=Verdict(
            verdict=verdict,  # type: ignore[arg-type]
            findings=[
                Finding(rule=rule, severity=sev, message="m", text="一天")  # type: ignore[arg-type]
                for rule, sev in findings
            ],
            marketing=MarketingSummary(sentence_share=share, window_share=window),
        ),
    )


def make_result(*drafts: Draft, latency_ms: float = 100.0, cost: float | None = 0.0) -> DraftResult:
    return DraftResult(
        task="reply",
        drafts=list(drafts),
        backend="模板模式",
        prompt=PROMPT,
        verdict=drafts[0].verdict if drafts else Verdict(verdict="pass"),
        customer_message="我的手机号是[手机号]",
        usage=Usage(input_tokens=10, output_tokens=5),
        cost=cost,
        latency_ms=latency_ms,
    )


class FakeTools:
    """Token count = characters; similarity from a table; a judge that answers from a queue."""

    def __init__(self, judge: Outcome | None = None, similarity: float = 0.9) -> None:
        self.judged: list[tuple[str, str, str]] = []
        self._judge = judge
        self._similarity = similarity

    def count_tokens(self, text: str) -> int:
        return len(text)

    def similarity(self, a: str, b: str) -> float:
        return self._similarity

    def judge(self, rubric: str, input_text: str, output: str) -> Outcome:
        self.judged.append((rubric, input_text, output))
        if self._judge is None:
            return Outcome(False, 0.0, "no judge", skipped=True)
        return self._judge


@pytest.fixture
def drafter_on_fakes(siyu_home: Path):
    def make(backend: Backend | None = None) -> Drafter:
        return Drafter.from_settings(
            Settings(),
            backend=backend or TemplateBackend(),
            retriever=FakeRetriever(),
            clock=lambda: NOW,
        )

    return make


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


WHEN = datetime(2027, 3, 10, 10, 0)


def case(case_id: str, status: str, *scores: tuple[bool, float], suite: str = "s") -> CaseResult:
    return CaseResult(
        suite=suite,
        case_id=case_id,
        task="reply",
        status=status,  # type: ignore[arg-type]
        assertions=[
            AssertionResult(
                type="contains", label="contains", passed=p, score=s, weight=1, reason="r"
            )
            for p, s in scores
        ],
    )


def run(run_id: str, *cases: CaseResult, **options: object) -> RunRecord:
    return RunRecord(
        run_id=run_id, started_at=WHEN, backend="template", model="模板模式", suites=["s"],
        options=dict(options), cases=list(cases),
    )  # fmt: skip
