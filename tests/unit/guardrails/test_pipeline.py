from __future__ import annotations

import pytest
from pydantic import ValidationError

from copilot.config import GuardrailSettings
from copilot.guardrails import CheckInput, Finding, check, marketing, pipeline
from copilot.guardrails.marketing_classifier import PostScore, score_post
from copilot.guardrails.pipeline import RULES, decide
from copilot.messages import render
from tests.unit.guardrails.conftest import NOON, draft, rules_fired

PROMO = "双11限时秒杀！满299减50，今晚8点直播间下单。"


@pytest.mark.parametrize(
    ("severities", "verdict"),
    [([], "pass"), (["info"], "pass"), (["warn", "info"], "warn"), (["warn", "block"], "block")],
)
def test_severity_to_verdict(severities: list[str], verdict: str) -> None:
    findings = [Finding(rule="pii", severity=s, message="m") for s in severities]  # type: ignore[arg-type]
    assert decide(findings) == verdict


class Exploding:
    id = "grounding"

    def check(self, draft: CheckInput, ctx: object) -> list[Finding]:
        raise RuntimeError("boom")


def test_rule_that_raises_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RULES, "grounding", Exploding())
    verdict = check(draft("您好"), now=NOON)
    assert verdict.verdict == "block"
    assert verdict.findings[0].rule == "pipeline"
    assert render(verdict.findings[0].message, "en") == (
        "guardrail rule grounding failed, so the draft is held: RuntimeError: boom"
    )
    assert render(verdict.findings[0].message, "zh") == (
        "护栏规则 grounding 运行出错,草稿已拦截:RuntimeError: boom"
    )


def test_marketing_is_assessed_once_per_check(monkeypatch: pytest.MonkeyPatch) -> None:
    scored: list[str] = []

    def counting(text: str) -> PostScore:
        scored.append(text)
        return score_post(text)

    monkeypatch.setattr(marketing, "score_post", counting)
    past = [{"scheduled_at": "2026-11-09T10:00:00+08:00", "text": PROMO, "community": "g1"}]
    promo = draft(PROMO, task="post", community="g1", post_type="promo", history=past)
    verdict = check(promo, now=NOON)
    assert scored == [PROMO, PROMO]  # the draft once, the one past post once
    assert rules_fired(verdict, "marketing") == ["block"]  # 2 of 2 promotions
    assert verdict.marketing.is_marketing and verdict.marketing.window_share == 1.0


def test_a_failed_marketing_assessment_blocks_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("scorer broke")

    monkeypatch.setattr(pipeline, "assess", broken)
    verdict = check(draft(PROMO, task="post", community="g1", post_type="promo"), now=NOON)
    assert verdict.verdict == "block" and not verdict.marketing.is_marketing
    messages = [render(f.message, "en") for f in verdict.findings]
    assert [m for m in messages if "scorer broke" in m] == [messages[0]]
    assert verdict.findings[0].rule == "pipeline" and "rule marketing failed" in messages[0]


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("", "pass"),
        ("您好，您的快递已发出，请注意查收。", "pass"),
        ("Hello 您好 مرحبا こんにちは", "pass"),
        ("手机１３８\u200b１２３４\u200b５６７８", "block"),
        ("会员价¥189", "block"),
        ("9" * 50_000, "pass"),
        ("哈" * 50_000, "pass"),
    ],
)
def test_pipeline_bad_input_table(text: str, verdict: str) -> None:
    assert check(draft(text), now=NOON).verdict == verdict


def test_unknown_rule_setting_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match=r"unknown guardrail rule.*valid: marketing"):
        GuardrailSettings(rules=["pii", "spelling"])


def test_pipeline_runs_all_rules_by_default() -> None:
    verdict = check(
        draft("会员日全场8折，快来下单", task="message", purpose="marketing_personalisation"),
        now=NOON,
    )
    assert verdict.verdict == "block"
    assert {f.rule for f in verdict.findings} == {"consent", "optout", "grounding"}
