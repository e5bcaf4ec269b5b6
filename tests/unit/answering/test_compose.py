from __future__ import annotations

from datetime import date

import pytest

from copilot.answering.compose import phrases, reply_items
from copilot.answering.features import Embed
from tests.unit.answering.conftest import (
    DIAPER_M,
    DIAPER_S,
    FAQ_BATH,
    FAQ_FORMULA,
    FAQ_SHIPPING,
    evidence,
)


def context(message: str, language: str = "zh") -> dict[str, object]:
    return {
        "task": "reply",
        "language": language,
        "customer_message": message,
        "today": "2026-11-26",
        "evidence": [FAQ_BATH, FAQ_FORMULA, FAQ_SHIPPING, DIAPER_S, DIAPER_M],
    }


@pytest.mark.parametrize("message", ["[图片]", "😂😂😂", "  [语音] "])
def test_messages_without_words_ask_for_words(message: str, embed: Embed) -> None:
    items = reply_items(context(message), embed)
    assert items[0]["text"] == phrases()["zh"]["bad_input"]
    assert all(i["needs_human"] and not i["citations"] for i in items)


def test_medical_questions_get_no_product_answer(embed: Embed) -> None:
    items = reply_items(context("宝宝拉肚子三天了 还有点发烧 要不要去医院"), embed)
    assert items[0]["text"] == phrases()["zh"]["holding_medical"]
    assert all(i["needs_human"] and not i["citations"] for i in items)


def test_each_question_is_answered_or_handed_over(embed: Embed) -> None:
    first = reply_items(context("宝宝有点拉肚子 另外满多少包邮"), embed)[0]
    assert "99元包邮" in first["text"]
    assert "咨询医生" in first["text"]
    assert "拉肚子" not in first["text"]  # the customer's words are never quoted back
    assert first["needs_human"] and first["citations"] == ["K3"]


def test_case_facts_are_applied_and_cited(embed: Embed) -> None:
    first = reply_items(context("宝宝7公斤穿啥码的尿不湿 买了89元的东西还差多少包邮"), embed)[0]
    assert "M码" in first["text"] and "再凑10元" in first["text"]
    assert first["citations"] == ["K5", "K3"]
    assert not first["needs_human"]
    assert 0.0 < first["confidence"] <= 1.0


def test_a_passage_on_the_product_asked_beats_the_general_rule(embed: Embed) -> None:
    general = evidence("K1", "问:下单后多久发货？\n答:每天16:00前付款的订单当天发货。")
    stroller = evidence(
        "K2", "问:婴儿推车什么时候发货？\n答:婴儿推车由工厂直发，付款后3个工作日内发货。"
    )
    ctx = {**context("推车下单后多久发出"), "evidence": [general, stroller]}
    first = reply_items(ctx, embed)[0]
    assert first["citations"] != ["K1"]


def test_a_question_the_evidence_does_not_cover_goes_to_a_person(embed: Embed) -> None:
    hotline = evidence(
        "K1", "问:客服电话是多少？\n答:小禾家客服热线400-000-0000，服务时间每天09:00–21:00。"
    )
    first = reply_items({**context("你们客服一个月工资多少？"), "evidence": [hotline]}, embed)[0]
    assert first["needs_human"] and not first["citations"]
    assert "400-000-0000" not in first["text"]


def test_a_product_row_that_says_nothing_asked_is_handed_over(embed: Embed) -> None:
    stroller = evidence(
        "K1",
        "商品:小禾家轻便婴儿推车\n价格:1299元\n注意事项:宝宝乘坐时必须系好五点式安全带。",
        "product",
        row=23,
    )
    first = reply_items({**context("推车有粉色的吗"), "evidence": [stroller]}, embed)[0]
    assert first["needs_human"] and not first["citations"]
    assert "安全带" not in first["text"]


def test_a_medical_hand_over_is_as_confident_as_hand_overs_were_right(embed: Embed) -> None:
    from copilot.answering.calibration import answer_model

    items = reply_items(context("宝宝拉肚子三天了 还有点发烧 要不要去医院"), embed)
    assert items[0]["confidence"] == round(answer_model().handover_confidence, 3)


def test_a_holding_reply_is_as_confident_as_the_best_answer_would_be_wrong(
    embed: Embed,
) -> None:
    from copilot.answering.calibration import answer_model
    from copilot.answering.compose import answer_part
    from copilot.answering.passages import passage_of

    model = answer_model().model_copy(update={"threshold": 0.999})  # nothing is answered
    ctx = context("满多少包邮")
    passages = [passage_of(e) for e in ctx["evidence"]]  # type: ignore[attr-defined]
    part = answer_part("满多少包邮", passages, date(2026, 11, 26), embed, model)
    held = reply_items(ctx, embed, model)[0]
    answered = reply_items(ctx, embed)[0]
    assert held["needs_human"] and not held["citations"]
    assert not answered["needs_human"]
    # holding is right when the answer would have been wrong: the two add up to one
    assert held["confidence"] == pytest.approx(1.0 - answered["confidence"], abs=0.002)
    assert part.handover == "unknown"
    assert held["confidence"] == round(part.probability, 3)


def test_a_product_without_a_rule_of_its_own_is_answered_by_the_shop_rule(embed: Embed) -> None:
    general = evidence("K1", "问:下单后多久发货？\n答:每天16:00前付款的订单当天发货。")
    shelf = evidence("K2", "问:买的奶粉保质期还有多久？\n答:我们发出的奶粉距离到期不少于12个月。")
    lumps = evidence("K4", "问:奶粉结块或者有异味怎么办？\n答:请暂停食用，在签收后15天内联系客服。")
    stage1, stage2 = (
        evidence(
            f"K{row}", f"商品:小禾家配方奶粉{row}段\n价格:268元\n规格:800g/罐", "product", row=row
        )
        for row in (5, 6)
    )
    # the product's own FAQs and rows crowd the shop's dispatch rule out of the choice
    ctx = {**context("奶粉几点发货"), "evidence": [shelf, lumps, stage1, stage2, general]}
    first = reply_items(ctx, embed)[0]
    assert first["citations"] == ["K1"] and "16:00" in first["text"]
    # a place is asked, which the dispatch-time rule does not state
    where = reply_items({**ctx, "customer_message": "奶粉从哪发货"}, embed)[0]
    assert where["needs_human"] and not where["citations"]
