"""Pipeline and rule-context edge cases found by mutation testing: the clock, local time, the
verdict's id and the fix of a failed rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from copilot.config import GuardrailSettings
from copilot.guardrails import CheckInput, Finding, check
from copilot.guardrails.context import RuleContext
from copilot.guardrails.pipeline import RULES
from copilot.messages import render
from tests.unit.guardrails.conftest import NOON, SHANGHAI, draft, rules_fired

PROMO = "限时秒杀！满299减50，快下单。"
CADENCE = GuardrailSettings(rules=["cadence"])


class Exploding:
    id = "grounding"

    def check(self, draft: CheckInput, ctx: object) -> list[Finding]:
        raise RuntimeError("boom")


def test_failed_rule_asks_for_a_human_review(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RULES, "grounding", Exploding())
    [finding] = check(draft("您好"), GuardrailSettings(rules=["grounding"]), now=NOON).findings
    assert render(finding.fix, "zh") == "人工审核该草稿,并把输入报告给维护者"
    assert render(finding.fix, "en") == "review the draft by hand and report the input"


def test_verdict_carries_the_draft_id() -> None:
    assert check(draft("您好", id="draft-42"), now=NOON).id == "draft-42"


def test_an_unscheduled_post_goes_out_at_the_given_moment() -> None:
    post = draft("洗脸水温别太高。", task="post", community="g1")
    late = NOON.replace(hour=22)
    assert rules_fired(check(post, CADENCE, now=late), "cadence") == ["block"]
    assert check(post, CADENCE, now=NOON).findings == []


def test_without_a_clock_the_check_uses_the_current_time_in_the_community_timezone() -> None:
    just_sent = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    verdict = check(draft(PROMO, task="message", recent_messages=[just_sent]), CADENCE)
    assert verdict.findings[0].rule == "cadence"
    assert render(verdict.findings[0].message, "en").startswith(
        "this customer already got 1 marketing messages in 7 days"
    )


def test_naive_times_are_taken_as_community_local_time() -> None:
    ctx = RuleContext(GuardrailSettings(), NOON)
    assert ctx.local(datetime(2026, 11, 10, 22, 0)) == datetime(
        2026, 11, 10, 22, 0, tzinfo=SHANGHAI
    )
    assert ctx.local(datetime(2026, 11, 10, 14, 0, tzinfo=UTC)).hour == 22
    assert ctx.tz == ZoneInfo("Asia/Shanghai")
