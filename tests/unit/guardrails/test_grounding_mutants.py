"""Grounding rule edge cases found by mutation testing: full-reduce offers, computed gaps, fixes."""

from __future__ import annotations

import pytest

from copilot.guardrails.models import Finding
from copilot.messages import render
from tests.unit.guardrails.conftest import rules_fired, run

FREE_SHIPPING = "实付满99元包邮"


@pytest.mark.parametrize(
    ("evidence", "severities"),
    [
        (["满299减50，先到先得"], []),  # the offer itself
        (["订单满299元，立减50元"], []),  # both amounts stated separately
        (["满300减50"], ["block"]),  # another threshold with the same reduction
        (["订单满299元可用"], ["block"]),  # the reduction is stated nowhere
    ],
)
def test_full_reduce_offer_needs_the_offer_or_both_of_its_amounts(
    evidence: list[str], severities: list[str]
) -> None:
    verdict = run("满299减50，今天截止。", "grounding", evidence=evidence)
    assert rules_fired(verdict, "grounding") == severities


@pytest.mark.parametrize(
    ("text", "message", "evidence", "severities"),
    [
        # 99 − 69.5: a gap in jiao is stated as such, not rounded to a whole yuan
        ("再凑29.5元就能包邮。", "买了69.5元 还差多少", [FREE_SHIPPING], []),
        ("再凑30元就能包邮。", "买了69.5元 还差多少", [FREE_SHIPPING], ["block"]),
        # nothing is missing when the customer already reached the amount
        ("再凑0元就能包邮。", "我买了99元的东西", [FREE_SHIPPING], ["block"]),
        # a discount rate in the evidence is no amount to subtract from (80 − 61 = 19)
        ("再凑19元就能包邮。", "我买了61元的东西", [FREE_SHIPPING + "，全场8折"], ["block"]),
        # the customer's amount counts alongside the packs they add (99 − 69 = 30)
        (
            "再凑30元就能包邮。",
            "我买了69元的东西，再加两包湿巾包邮吗",
            [FREE_SHIPPING, "湿巾 价格：25元"],
            [],
        ),
    ],
)
def test_free_shipping_gap_edge_cases(
    text: str, message: str, evidence: list[str], severities: list[str]
) -> None:
    verdict = run(text, "grounding", evidence=evidence, customer_message=message)
    assert rules_fired(verdict, "grounding") == severities


def _one(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def test_unsupported_figure_names_kind_span_and_fix() -> None:
    finding = _one(run("会员价189元。", "grounding", evidence=["会员价199元"]).findings)
    assert (finding.severity, finding.start, finding.end, finding.text) == ("block", 3, 7, "189元")
    assert render(finding.message, "zh") == "金额「189元」在资料和运营说明中找不到依据"
    assert render(finding.fix, "zh") == "改为资料中的准确数字,或删除该说法"
    assert render(finding.fix, "en") == (
        "use the exact figure from the evidence, or remove the claim"
    )


def test_absolute_term_warning_names_span_and_fix() -> None:
    text = "会员价199元，全网最低价！"
    finding = _one(run(text, "grounding", evidence=["会员价199元"]).findings)
    assert (finding.severity, finding.start, finding.end, finding.text) == (
        "warn",
        8,
        12,
        "全网最低",
    )
    assert render(finding.fix, "zh") == "改为可证实的具体描述"
    assert render(finding.fix, "en") == "replace it with a specific, verifiable description"
