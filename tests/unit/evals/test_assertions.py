from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from copilot.evals.assertions import AssertionSpec, evaluate, valid_types
from copilot.evals.checks import Outcome, detect_language
from copilot.messages import render
from tests.unit.evals.conftest import FakeTools, make_draft, make_result

SHIPPING = make_result(
    make_draft("您好！满99元包邮，不满99元运费10元。", sources=("knowledge/faq.csv",)),
    make_draft("亲，满99元包邮。", sources=("knowledge/faq.csv", "knowledge/policies/shipping.md")),
)
HOLDING = make_result(make_draft("我跟同事确认一下，稍后回复您。", needs_human=True))
BLOCKED = make_result(
    make_draft(
        "忙碌的一天结束，限时秒杀！",
        verdict="block",
        findings=(("grounding", "block"), ("marketing", "warn")),
        share=0.5,
        window=0.6,
    )
)
ENGLISH = make_result(make_draft('{"reply": "Free shipping from 99 yuan", "ok": true}'))

# (assertion, result, passed, a substring of the reason in English)
CASES: list[tuple[dict[str, Any], Any, bool, str]] = [
    ({"type": "contains", "value": "99元"}, SHIPPING, True, "found"),
    ({"type": "contains", "value": "10元"}, SHIPPING, False, "[1/2 drafts]"),
    ({"type": "contains", "value": "10元", "drafts": "first"}, SHIPPING, True, "found"),
    ({"type": "contains", "value": "10元", "drafts": "any"}, SHIPPING, True, "found"),
    ({"type": "not-contains", "value": "全网最低"}, SHIPPING, True, "NOT"),
    ({"type": "not_contains", "value": "包邮"}, SHIPPING, False, "NOT"),
    ({"type": "icontains", "value": "FREE SHIPPING"}, ENGLISH, True, "found"),
    ({"type": "contains-all", "value": ["99元", "10元"]}, SHIPPING, False, "missing ['10元']"),
    ({"type": "contains-any", "value": ["10元", "包邮"]}, SHIPPING, True, "found"),
    ({"type": "icontains-any", "value": ["REFUND", "x"]}, ENGLISH, False, "missing"),
    ({"type": "equals", "value": "亲，满99元包邮。", "drafts": "any"}, SHIPPING, True, "equal"),
    ({"type": "starts-with", "value": "您好"}, SHIPPING, False, "starts with «亲"),
    ({"type": "regex", "value": r"\d+元包邮"}, SHIPPING, True, "99元包邮"),
    ({"type": "not-regex", "value": r"\d{3}元"}, SHIPPING, True, "NOT"),
    ({"type": "is-json"}, ENGLISH, True, "valid JSON"),
    ({"type": "is-json"}, SHIPPING, False, "not JSON"),
    (
        {"type": "is-json", "value": {"type": "object", "required": ["reply", "sources"]}},
        ENGLISH,
        False,
        "'sources' is a required property",
    ),
    ({"type": "max-length", "value": 10}, SHIPPING, False, "chars (max 10)"),
    ({"type": "max-tokens", "value": 30}, SHIPPING, True, "tokens (max 30)"),
    ({"type": "language", "value": "zh"}, SHIPPING, True, "zh"),
    ({"type": "language", "value": "zh"}, ENGLISH, False, "language: en"),
    ({"type": "cites-source"}, SHIPPING, True, "cites"),
    ({"type": "cites-source", "value": "shipping.md"}, SHIPPING, False, "want shipping.md"),
    ({"type": "cites-source", "value": "shipping.md", "drafts": "any"}, SHIPPING, True, "cites"),
    ({"type": "cites-source"}, HOLDING, False, "cites nothing"),
    ({"type": "not-cites-source"}, HOLDING, True, "NOT"),
    ({"type": "grounded"}, SHIPPING, True, "grounded"),
    ({"type": "grounded_numbers"}, BLOCKED, False, "unsupported: ['一天']"),
    ({"type": "no-pii"}, SHIPPING, True, "no PII"),
    ({"type": "no-pii"}, make_result(make_draft("请拨打13812345678")), False, "13812345678"),
    ({"type": "no-pii", "value": ["CN_MOBILE"]}, make_result(make_draft("13812345678")), True, ""),
    ({"type": "no-pii", "target": "input"}, SHIPPING, True, "no PII"),
    ({"type": "not-contains", "value": "13812345678", "target": "input"}, SHIPPING, True, ""),
    ({"type": "verdict-is", "value": "pass"}, SHIPPING, True, "pass"),
    ({"type": "verdict-is", "value": ["block"], "rule": "grounding"}, BLOCKED, True, "block"),
    ({"type": "verdict-is", "value": "block", "rule": "cadence"}, BLOCKED, False, "cadence"),
    ({"type": "needs-human"}, HOLDING, True, "needs_human=True"),
    ({"type": "needs-human", "value": False}, HOLDING, False, "want False"),
    ({"type": "marketing-share-max", "value": 0.3}, BLOCKED, False, "60%"),
    ({"type": "marketing-share-max", "value": 0.3}, SHIPPING, True, "0%"),
    ({"type": "latency", "threshold": 50}, SHIPPING, False, "100 ms (max 50)"),
    ({"type": "latency", "threshold": 500}, SHIPPING, True, "100 ms"),
    ({"type": "cost", "threshold": 0.01}, SHIPPING, True, "¥0"),
    ({"type": "cost", "threshold": 0.01}, make_result(make_draft("x"), cost=None), False, "price"),
    ({"type": "similar", "value": "满99包邮", "threshold": 0.95}, SHIPPING, False, "cosine 0.900"),
    ({"type": "similar", "value": "满99包邮"}, SHIPPING, True, "min 0.75"),
]


@pytest.mark.parametrize(("raw", "result", "passed", "reason"), CASES)
def test_assertion_table(raw: dict[str, Any], result: Any, passed: bool, reason: str) -> None:
    outcome = evaluate(AssertionSpec.model_validate(raw), result, "message: hi", FakeTools())
    assert outcome.passed is passed, outcome.reason
    assert reason in render(outcome.reason, "en")
    assert not outcome.skipped


def test_llm_rubric_without_judge_is_skipped_never_passed() -> None:
    spec = AssertionSpec(type="llm-rubric", value="回复礼貌、不编造")
    outcome = evaluate(spec, SHIPPING, "message: hi", FakeTools(judge=None))
    assert (outcome.skipped, outcome.passed) == (True, False)


def test_llm_rubric_records_rubric_score_and_reason() -> None:
    tools = FakeTools(judge=Outcome(True, 0.6, "judge: 礼貌", details={"rubric": "r"}))
    spec = AssertionSpec(type="llm-rubric", value="回复礼貌", threshold=0.8, drafts="first")
    outcome = evaluate(spec, SHIPPING, "message: 运费？", tools)
    assert (outcome.passed, outcome.score, outcome.details) == (False, 0.6, {"rubric": "r"})
    assert tools.judged == [("回复礼貌", "message: 运费？", "您好！满99元包邮，不满99元运费10元。")]


def test_no_drafts_fails_with_reason() -> None:
    outcome = evaluate(AssertionSpec(type="no-pii"), make_result(), "", FakeTools())
    assert not outcome.passed and "no draft" in render(outcome.reason, "en")


def test_a_reason_reads_in_one_language() -> None:
    spec = AssertionSpec(type="contains-all", value=["99元", "10元"])
    outcome = evaluate(spec, SHIPPING, "message: hi", FakeTools())
    assert render(outcome.reason, "zh") == "[1/2 份草稿] 缺少 ['10元']"
    assert render(outcome.reason, "en") == "[1/2 drafts] missing ['10元']"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"type": "python", "value": "x"}, "valid: cites-source, contains, contains-all"),
        ({"type": "not-latency", "threshold": 3}, "unknown assertion type"),
        ({"type": "regex"}, "needs a value"),
        ({"type": "latency"}, "needs a threshold"),
        ({"type": "verdict-is", "value": "pass", "target": "input"}, "cannot use target: input"),
        ({"type": "contains", "value": "x", "colour": 1}, "Extra inputs"),
        ({"type": "contains", "value": "x", "drafts": "some"}, "'all', 'any' or 'first'"),
        ({"type": "not-contains", "value": ["a", "b"]}, "use not-contains-any"),
        ({"type": "contains", "value": ["a", "b"]}, "use contains-all / contains-any"),
        ({"type": "not-icontains", "value": ["a"]}, "takes one string"),
    ],
)
def test_invalid_assertions(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AssertionSpec.model_validate(raw)


def test_every_negatable_type_is_listed() -> None:
    types = valid_types()
    assert "not-cites-source" in types and "not-latency" not in types
    assert types == sorted(types)


@pytest.mark.parametrize(
    ("text", "language"),
    [("满99元包邮", "zh"), ("Free shipping from 99 yuan", "en"), ("OK 好", "zh"), ("123", "mixed")],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language
