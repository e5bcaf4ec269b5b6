"""What a run records: each case's outcome, and the run's prompts, model, revision and totals."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.drafting import PromptRef
from copilot.evals.assertions import AssertionResult
from copilot.llm import TEMPLATE_BACKEND
from copilot.messages import Text

CaseStatus = Literal["pass", "fail", "error", "skipped"]


class CaseResult(BaseModel):
    """One case (one repeat) after it ran: status, assertion outcomes, output and accounting."""

    model_config = ConfigDict(extra="forbid")

    suite: str
    case_id: str
    description: str = ""
    task: str
    where: str = ""
    repeat: int = 0
    status: CaseStatus
    score: float = 0.0
    assertions: list[AssertionResult] = Field(default_factory=list)
    input: dict[str, Any] = Field(default_factory=dict)
    outputs: list[str] = Field(default_factory=list)
    verdicts: list[str] = Field(default_factory=list)
    citations: list[list[str]] = Field(default_factory=list)
    prompt: PromptRef | None = None
    backend: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cached: bool = False
    cost: float | None = 0.0
    latency_ms: float = 0.0
    error: Text = ""

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.case_id}" + (f"#{self.repeat}" if self.repeat else "")

    @property
    def failing(self) -> list[AssertionResult]:
        return [a for a in self.assertions if not a.passed and not a.skipped]


class RunSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    total: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    skipped_assertions: int = 0
    backend_calls: int = 0
    cached: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    unpriced: int = Field(0, description="cases whose model has no price: cost unknown")

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


class RunRecord(BaseModel):
    """A stored run: enough to compare against later and to explain where it came from."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    started_at: datetime
    seconds: float = Field(0.0, description="whole run, setup included")
    setup_seconds: float = Field(0.0, description="knowledge check and query embeddings")
    git_rev: str = "unknown"
    backend: str
    model: str
    prompts: dict[str, str] = Field(
        default_factory=dict, description="prompt id.language → version#hash"
    )
    suites: list[str] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)
    notices: list[Text] = Field(default_factory=list)
    cases: list[CaseResult] = Field(default_factory=list)

    def summary(self) -> RunSummary:
        s = RunSummary(total=len(self.cases))
        for case in self.cases:
            s.passed += case.status == "pass"
            s.failed += case.status == "fail"
            s.errors += case.status == "error"
            s.skipped += case.status == "skipped"
            s.skipped_assertions += sum(a.skipped for a in case.assertions)
            s.cached += case.cached
            s.backend_calls += case.backend not in ("", TEMPLATE_BACKEND) and not case.cached
            s.input_tokens += case.input_tokens
            s.output_tokens += case.output_tokens
            if case.cost is None:
                s.unpriced += 1
            else:
                s.cost = round(s.cost + case.cost, 6)
        return s

    @property
    def ok(self) -> bool:
        """True when every case passed (skipped assertions are reported, not failed)."""
        return all(case.status == "pass" for case in self.cases)
