"""Baseline comparison, case by case and assertion by assertion.

A regression is a case that passed and now fails or errors, or an assertion that passed and now
fails. Fixed cases, score moves beyond the tolerance, and added or removed cases are listed too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.evals.assertions import AssertionResult
from copilot.evals.results import CaseResult, RunRecord
from copilot.messages import Text

Change = Literal["regressed", "fixed", "score", "added", "removed"]


class AssertionChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    before_passed: bool | None
    after_passed: bool | None
    before_score: float | None
    after_score: float | None
    reason: Text = ""


class CaseDiff(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    change: Change
    before: str | None
    after: str | None
    where: str = ""
    assertions: list[AssertionChange] = Field(default_factory=list)
    error: Text = ""


class Comparison(BaseModel):
    model_config = ConfigDict(extra="forbid")

    baseline_id: str
    current_id: str
    tolerance: float
    diffs: list[CaseDiff] = Field(default_factory=list)

    def of(self, change: Change) -> list[CaseDiff]:
        return [d for d in self.diffs if d.change == change]

    @property
    def regressed(self) -> bool:
        return bool(self.of("regressed"))


def _by_label(results: list[AssertionResult]) -> dict[str, AssertionResult]:
    return {f"{index}:{a.label}": a for index, a in enumerate(results)}


def _assertion_changes(
    before: CaseResult, after: CaseResult, tolerance: float
) -> list[AssertionChange]:
    old, new = _by_label(before.assertions), _by_label(after.assertions)
    changes = []
    for key, now in new.items():
        was = old.get(key)
        if was is None or was.skipped or now.skipped:
            continue
        if was.passed != now.passed or abs(was.score - now.score) > tolerance:
            changes.append(
                AssertionChange(
                    label=now.label,
                    before_passed=was.passed,
                    after_passed=now.passed,
                    before_score=was.score,
                    after_score=now.score,
                    reason=now.reason,
                )
            )
    return changes


def _classify(
    before: CaseResult, after: CaseResult, changes: list[AssertionChange]
) -> Change | None:
    if before.status == "pass" and after.status in ("fail", "error"):
        return "regressed"
    if before.status != "error" and after.status == "error":
        return "regressed"
    if any(c.before_passed and c.after_passed is False for c in changes):
        return "regressed"
    if before.status in ("fail", "error") and after.status == "pass":
        return "fixed"
    return "score" if changes else None


def compare(baseline: RunRecord, current: RunRecord, tolerance: float = 0.05) -> Comparison:
    """What changed between a baseline run and the current one."""
    result = Comparison(baseline_id=baseline.run_id, current_id=current.run_id, tolerance=tolerance)
    old = {case.key: case for case in baseline.cases}
    for case in current.cases:
        was = old.pop(case.key, None)
        if was is None:
            result.diffs.append(
                CaseDiff(
                    key=case.key, change="added", before=None, after=case.status, where=case.where
                )
            )
            continue
        changes = _assertion_changes(was, case, tolerance)
        kind = _classify(was, case, changes)
        if kind:
            result.diffs.append(
                CaseDiff(
                    key=case.key,
                    change=kind,
                    before=was.status,
                    after=case.status,
                    where=case.where,
                    assertions=changes,
                    error=case.error,
                )
            )
    if not current.options.get("filter"):  # a filtered run leaves cases out on purpose
        result.diffs.extend(
            CaseDiff(key=key, change="removed", before=case.status, after=None, where=case.where)
            for key, case in old.items()
            if case.suite in current.suites
        )
    return result
