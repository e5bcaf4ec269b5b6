"""Assertion types: the names a suite may use, their spec model, and how one is evaluated.

Names follow promptfoo where we share the meaning (``contains``, ``icontains-any``, ``regex``,
``is-json``, ``similar``, ``llm-rubric``, ``latency``, ``cost`` and their ``not-`` forms);
the rest are ours (``cites-source``, ``grounded``, ``no-pii``, ``verdict-is``, …). Snake-case
spellings (``not_contains``, ``llm_judge``) are accepted too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from copilot.drafting import DraftResult
from copilot.evals import checks
from copilot.evals.checks import Outcome, Subject, Tools
from copilot.messages import Text, msg

Check = Callable[[Subject, "AssertionSpec", Tools], Outcome]


@dataclass(frozen=True)
class Kind:
    check: Check
    per_draft: bool = True
    needs_value: bool = True


KINDS: dict[str, Kind] = {
    "equals": Kind(checks.equals),
    "contains": Kind(checks.contains),
    "icontains": Kind(checks.icontains),
    "contains-all": Kind(checks.contains),
    "icontains-all": Kind(checks.icontains),
    "contains-any": Kind(checks.contains_any),
    "icontains-any": Kind(checks.icontains_any),
    "starts-with": Kind(checks.starts_with),
    "regex": Kind(checks.regex),
    "is-json": Kind(checks.is_json, needs_value=False),
    "max-length": Kind(checks.max_length),
    "max-tokens": Kind(checks.max_tokens),
    "language": Kind(checks.language),
    "cites-source": Kind(checks.cites_source, needs_value=False),
    "grounded": Kind(checks.grounded, needs_value=False),
    "no-pii": Kind(checks.no_pii, needs_value=False),
    "verdict-is": Kind(checks.verdict_is),
    "needs-human": Kind(checks.needs_human, needs_value=False),
    "marketing-share-max": Kind(checks.marketing_share_max),
    "similar": Kind(checks.similar),
    "llm-rubric": Kind(checks.llm_rubric),
    "latency": Kind(checks.latency, per_draft=False, needs_value=False),
    "cost": Kind(checks.cost, per_draft=False, needs_value=False),
}
ALIASES = {"llm-judge": "llm-rubric", "grounded-numbers": "grounded"}
# Checks of the draft object (citations, verdict) cannot look at the customer's input text.
DRAFT_ONLY = {"cites-source", "grounded", "verdict-is", "needs-human", "marketing-share-max"}


# Types whose value is one string: a list would make their not- form ambiguous.
SINGLE_VALUE = frozenset({"equals", "contains", "icontains", "starts-with", "regex"})


def valid_types() -> list[str]:
    negatable = [name for name, kind in KINDS.items() if kind.per_draft]
    return sorted([*KINDS, *(f"not-{name}" for name in negatable)])


class AssertionSpec(BaseModel):
    """One assertion as written in a suite (promptfoo's type/value/threshold/weight, plus ours)."""

    model_config = ConfigDict(extra="forbid")

    type: str
    value: Any = None
    threshold: float | None = None
    weight: float = Field(1.0, ge=0)
    metric: str | None = Field(None, description="promptfoo: a name to group scores under")
    rule: str | None = Field(None, description="verdict-is: the guardrail rule that must fire")
    drafts: Literal["all", "any", "first"] = Field(
        "all", description="which drafts must satisfy it"
    )
    target: Literal["output", "input"] = Field(
        "output", description="input = the customer message after PII redaction"
    )

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        name = value.strip().lower().replace("_", "-")
        negated = name.startswith("not-")
        base = ALIASES.get(name.removeprefix("not-"), name.removeprefix("not-"))
        name = f"not-{base}" if negated else base
        if name not in valid_types():
            raise ValueError(f"unknown assertion type '{value}'; valid: {', '.join(valid_types())}")
        return name

    @model_validator(mode="after")
    def _complete(self) -> AssertionSpec:
        kind = KINDS[self.base]
        if kind.needs_value and self.value is None:
            raise ValueError(f"assertion '{self.type}' needs a value")
        if self.base in ("latency", "cost") and self.value is None and self.threshold is None:
            raise ValueError(f"assertion '{self.type}' needs a threshold")
        if self.base in SINGLE_VALUE and isinstance(self.value, list):
            plural = "not-contains-any" if self.negated else "contains-all / contains-any"
            raise ValueError(
                f"assertion '{self.type}' takes one string, not a list; for several strings use "
                f"{plural} (a list here would be ambiguous: none of them, or not all of them?)"
            )
        if self.target == "input" and self.base in DRAFT_ONLY:
            raise ValueError(f"assertion '{self.type}' checks a draft; it cannot use target: input")
        return self

    @property
    def negated(self) -> bool:
        return self.type.startswith("not-")

    @property
    def base(self) -> str:
        return self.type.removeprefix("not-")

    @property
    def label(self) -> str:
        return self.metric or self.type


class AssertionResult(BaseModel):
    """How one assertion went: passed or not, a 0–1 score and the reason (shown in reports)."""

    model_config = ConfigDict(extra="forbid")

    type: str
    label: str
    passed: bool
    score: float
    weight: float
    reason: Text
    skipped: bool = False
    details: dict[str, Any] = Field(default_factory=dict)


def _negate(outcome: Outcome) -> Outcome:
    return Outcome(not outcome.passed, 1.0 - outcome.score, "NOT: " + outcome.reason)


def _subjects(spec: AssertionSpec, result: DraftResult, input_text: str) -> list[Subject]:
    if spec.target == "input":
        return [Subject(result.customer_message, None, result, input_text)]
    if not KINDS[spec.base].per_draft:
        first = result.drafts[0] if result.drafts else None
        return [Subject(first.text if first else "", first, result, input_text)]
    drafts = result.drafts[:1] if spec.drafts == "first" else result.drafts
    return [Subject(d.text, d, result, input_text) for d in drafts]


def evaluate(
    spec: AssertionSpec, result: DraftResult, input_text: str, tools: Tools
) -> AssertionResult:
    """Run one assertion over the drafts it applies to and combine them by `spec.drafts`."""
    subjects = _subjects(spec, result, input_text)
    outcomes = []
    for subject in subjects:
        outcome = KINDS[spec.base].check(subject, spec, tools)
        outcomes.append(_negate(outcome) if spec.negated and not outcome.skipped else outcome)
    if not outcomes:
        outcomes = [Outcome(False, 0.0, msg("没有草稿", "the task returned no draft"))]
    if any(o.skipped for o in outcomes):
        skipped = next(o for o in outcomes if o.skipped)
        return _result(spec, skipped, skipped=True)
    passing = [o for o in outcomes if o.passed]
    passed = bool(passing) if spec.drafts == "any" else len(passing) == len(outcomes)
    worst = min(outcomes, key=lambda o: (o.passed, o.score))
    shown = passing[0] if passed and spec.drafts == "any" else worst
    score = max(o.score for o in outcomes) if spec.drafts == "any" else worst.score
    shares = f"{len(passing)}/{len(outcomes)}"
    label = "" if len(outcomes) == 1 else msg(f"[{shares} 份草稿] ", f"[{shares} drafts] ")
    combined = Outcome(passed, score, label + shown.reason, details=shown.details)
    return _result(spec, combined)


def _result(spec: AssertionSpec, outcome: Outcome, *, skipped: bool = False) -> AssertionResult:
    return AssertionResult(
        type=spec.type,
        label=spec.label,
        passed=outcome.passed and not skipped,
        score=round(outcome.score, 4),
        weight=spec.weight,
        reason=outcome.reason,
        skipped=skipped,
        details=outcome.details,
    )
