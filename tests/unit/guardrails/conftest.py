"""Builders shared by the guardrail tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from copilot.config import GuardrailSettings
from copilot.guardrails import CheckInput, Verdict, check

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 10, 12, 0, tzinfo=SHANGHAI)


def draft(text: str, **fields: Any) -> CheckInput:
    """A draft with sensible defaults (a customer-service reply) and the given fields."""
    return CheckInput.model_validate({"id": "t", "task": "reply", "text": text, **fields})


def rules_fired(verdict: Verdict, rule: str) -> list[str]:
    """Severities of the findings of one rule."""
    return [f.severity for f in verdict.findings if f.rule == rule]


def run(text: str, only: str, **fields: Any) -> Verdict:
    """The verdict of a single rule on a draft, at a fixed clock."""
    return check(draft(text, **fields), GuardrailSettings(rules=[only]), now=NOON)


@pytest.fixture
def settings() -> GuardrailSettings:
    return GuardrailSettings()
