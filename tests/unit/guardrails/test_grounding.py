from __future__ import annotations

import pytest

from copilot.guardrails.claims import extract_claims, to_number
from tests.conftest import REPO
from tests.unit.guardrails.conftest import rules_fired, run


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("199", 199),
        ("1,299", 1299),
        ("一百九十九", 199),
        ("十二", 12),
        ("八五", 85),
        ("两万", 20000),
    ],
)
def test_to_number_table(token: str, value: float) -> None:
    assert to_number(token) == value


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("¥199", {("money", 199.0)}),
        ("一百九十九元", {("money", 199.0)}),
        ("八折", {("pct", 80.0)}),
        ("8.5折", {("pct", 85.0)}),
        ("12月12日", {("date", 12.0, 12.0)}),
        ("800g", {("qty", 800.0, "g")}),
        ("0.8kg", {("qty", 800.0, "g")}),
    ],
)
def test_claim_keys_table(text: str, keys: set[tuple[object, ...]]) -> None:
    assert set(extract_claims(text)[0].keys) == keys


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("¥199八折", [("¥199", {("money", 199.0)}), ("八折", {("pct", 80.0)})]),
        ("¥199 八折", [("¥199", {("money", 199.0)}), ("八折", {("pct", 80.0)})]),
        ("¥199九五折", [("¥199", {("money", 199.0)}), ("九五折", {("pct", 95.0)})]),
        ("¥19.9八折", [("¥19.9", {("money", 19.9)}), ("八折", {("pct", 80.0)})]),
        ("￥２９９八折", [("￥２９９", {("money", 299.0)}), ("八折", {("pct", 80.0)})]),
        ("九十九元八折", [("九十九元", {("money", 99.0)}), ("八折", {("pct", 80.0)})]),
        ("¥199七成", [("¥199", {("money", 199.0)})]),
    ],
)
def test_discount_after_a_price_is_not_more_digits(
    text: str, claims: list[tuple[str, set[tuple[object, ...]]]]
) -> None:
    assert [(c.text, set(c.keys)) for c in extract_claims(text)] == claims


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        # everyday phrases with 一 + a time unit are not quantities
        ("忙碌的一天结束，给自己一点认真的照顾", []),
        ("每一天都值得好好照顾", []),
        ("第一次用就喜欢上了", []),
        ("这一周大家辛苦了", []),
        ("有一天我发现", []),
        ("我先帮您确认一下，大家一起交流", []),
        # real quantities and promises stay claims
        ("3天发货", ["3天"]),
        ("七天无理由退货", ["七天"]),
        ("一天内发货", ["一天"]),
        ("下单后的一天内发货", ["一天"]),
        ("第一次后见效", ["一次"]),
        ("一天见效", ["一天"]),
        ("一次就见效", ["一次"]),
        ("十一天到货", ["十一天"]),
        ("第二件半价", ["二件"]),
        ("买一罐送一罐", ["一罐", "一罐"]),
    ],
)
def test_idiomatic_time_phrases_are_not_claims(text: str, claims: list[str]) -> None:
    assert [claim.text for claim in extract_claims(text)] == claims


def test_seeding_phrase_passes_but_unsupported_promise_blocks() -> None:
    text = "忙碌的一天结束，给自己一点认真的照顾🌿 下单后一天内发货。"
    verdict = run(text, "grounding", evidence=["推车重 6.5kg。"])
    assert [f.text for f in verdict.findings if f.rule == "grounding"] == ["一天"]
    assert verdict.findings[0].start == text.index("一天内")


EVIDENCE = ["会员价199元，满299减50，全场8折，活动12月12日截止，每罐800g。"]


@pytest.mark.parametrize(
    ("text", "severities"),
    [
        ("会员价¥199，满299减50，全场八折，12.12截止，每罐800g。", []),
        ("会员价一百九十九元，全场80%价格。", []),
        ("会员价¥189，全场8折。", ["block"]),
        ("满300减60，先到先得。", ["block"]),
        ("全场7折，12月11日截止。", ["block", "block"]),
        ("全网最低价，快来。", ["warn"]),
        ("生日5月12日快乐", []),  # supported by the birthday field below
    ],
)
def test_grounding_table(text: str, severities: list[str]) -> None:
    verdict = run(text, "grounding", evidence=EVIDENCE, fields={"birthday": "1990-05-12"})
    assert rules_fired(verdict, "grounding") == severities


def test_unsupported_claim_span() -> None:
    finding = run("会员价¥189。", "grounding", evidence=EVIDENCE).findings[0]
    assert (finding.start, finding.end, finding.text) == (3, 7, "¥189")


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        # 一 + a classifier is an article, not a count
        ("为您送上一张8折优惠券", ["8折"]),
        ("送您一份小心意", []),
        ("第一次用就喜欢上了", []),
        # unless a term follows, or the count is a digit or more than one
        ("一次就见效", ["一次"]),
        ("送1张券", ["1张"]),
        ("送两张券", ["两张"]),
    ],
)
def test_articles_are_not_quantities(text: str, claims: list[str]) -> None:
    assert [claim.text for claim in extract_claims(text)] == claims


def test_seed_birthday_message_passes_grounding() -> None:
    text = "王女士，祝您生日快乐！🎂为您送上一张8折优惠券，感谢一路以来的陪伴。"
    verdict = run(text, "grounding", brief="生日当月8折券", evidence=["生日当月8折券"])
    assert rules_fired(verdict, "grounding") == []


def _kb_lines() -> list[str]:
    folder = REPO / "knowledge"
    files = [p for p in folder.rglob("*") if p.suffix in {".csv", ".md", ".jsonl", ".yaml"}]
    return [line for p in sorted(files) for line in p.read_text("utf-8").splitlines() if line]


def test_demo_knowledge_base_grounds_its_own_texts() -> None:
    lines = _kb_lines()
    assert len(lines) > 50
    verdict = run("\n".join(lines), "grounding", evidence=lines)
    assert [f.text for f in verdict.findings if f.severity == "block"] == []


SHIPPING = ["单笔订单商品实付金额满99元包邮；不满99元收取运费10元。", "纸尿裤 价格：89元"]


@pytest.mark.parametrize(
    ("text", "message", "severities"),
    [
        # 99 − 69: what the customer still needs for free shipping
        ("按您说的金额，再凑30元就能包邮。", "我买了69元的东西 还差多少包邮", []),
        ("再凑¥30就能包邮。", "买了69块 包邮不", []),
        # a wrong subtraction, or a difference from no amount of the customer's, stays blocked
        ("按您说的金额，再凑40元就能包邮。", "我买了69元的东西 还差多少包邮", ["block"]),
        ("再凑30元就能包邮。", "还差多少包邮", ["block"]),
        ("再凑30元就能包邮。", "", ["block"]),
        # the customer's amount is not an evidence amount to subtract from
        ("再凑59元。", "我买了69元的东西 还差多少包邮", ["block"]),
        # two packs at 89元 = 178元: 199 − 178 = 21 with a 199 threshold, never from 99
        ("再凑21元就能包邮。", "买两包纸尿裤 包邮吗", ["block"]),
    ],
)
def test_free_shipping_gap_is_grounded_only_as_a_true_difference(
    text: str, message: str, severities: list[str]
) -> None:
    verdict = run(text, "grounding", evidence=SHIPPING, customer_message=message)
    assert rules_fired(verdict, "grounding") == severities


@pytest.mark.parametrize(
    ("message", "severities"),
    [
        ("买两包湿巾 包邮吗", []),  # 99 − 2 × 30
        ("买两罐 包邮吗", []),
        ("买两片湿巾 包邮吗", ["block"]),  # a count of pieces is no purchase
        ("买三包湿巾 包邮吗", ["block"]),  # 99 − 90 is 9, not 39
    ],
)
def test_gap_after_a_count_of_items_at_the_evidence_price(
    message: str, severities: list[str]
) -> None:
    evidence = ["实付满99元包邮", "湿巾 价格：30元"]
    verdict = run("再凑39元就能包邮。", "grounding", evidence=evidence, customer_message=message)
    assert rules_fired(verdict, "grounding") == severities
