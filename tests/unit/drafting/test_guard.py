from __future__ import annotations

from datetime import datetime

import pytest

from copilot.config import GuardrailSettings
from copilot.drafting import guard
from copilot.errors import GuardrailError
from copilot.guardrails.models import CheckInput, Finding, Verdict


def test_judge_fails_closed_when_the_pipeline_breaks() -> None:
    broken = GuardrailSettings.model_construct(rules=None)  # a setup no rule can run with
    verdict = guard.judge(CheckInput(id="x", task="reply", text="您好"), broken, datetime.now())
    assert verdict.verdict == "block"
    assert verdict.findings[0].rule == "pipeline"


def test_redact_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(text: str) -> None:
        raise RuntimeError("recognizer crashed")

    monkeypatch.setattr(guard, "run_redaction", explode)
    with pytest.raises(GuardrailError, match="recognizer crashed"):
        guard.redact("13812345678")


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [([], "pass"), (["pass", "warn"], "warn"), (["warn", "block", "pass"], "block")],
)
def test_strictest(kinds: list[str], expected: str) -> None:
    verdicts = [
        Verdict(verdict=kind, findings=[Finding(rule="pii", severity="info", message=kind)])  # type: ignore[arg-type]
        for kind in kinds
    ]
    result = guard.strictest(verdicts)
    assert result.verdict == expected and len(result.findings) == len(kinds)
