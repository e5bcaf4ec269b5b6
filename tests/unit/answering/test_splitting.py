from __future__ import annotations

import pytest

from copilot.answering.handover import handover_kind
from copilot.answering.splitting import split_questions


@pytest.mark.parametrize(
    ("message", "questions"),
    [
        ("nb码的尿不湿一包几片 多钱", ["nb码的尿不湿一包几片", "nb码的尿不湿多钱"]),
        ("奶粉拆封了能退吗？运费险多少钱", ["奶粉拆封了能退吗", "运费险多少钱"]),
        ("宝宝有点拉肚子 另外奶粉冲调水温多少", ["宝宝有点拉肚子", "奶粉冲调水温多少"]),
        ("推车 重不重", ["推车重不重"]),
        (
            "how much is shipping and when will it ship",
            ["how much is shipping", "when will it ship"],
        ),
        (
            "do points expire? how many points is 1 yuan",
            ["do points expire", "how many points is 1 yuan"],
        ),
        ("满多少包邮", ["满多少包邮"]),
        # a follow-up about the whole order borrows no product; one about the product does
        ("推车下单后多久发出 另外满多少包邮", ["推车下单后多久发出", "满多少包邮"]),
        ("推车多少钱 几天发货", ["推车多少钱", "推车几天发货"]),
        (
            "宝宝7公斤穿啥码的尿不湿 买两包能包邮不",
            ["宝宝7公斤穿啥码的尿不湿", "纸尿裤买两包能包邮不"],
        ),
        ("奶粉一罐多少钱 几天发货", ["奶粉一罐多少钱", "奶粉几天发货"]),
        # 谁 asks: the first clause is a question, not context for the second
        ("退货运费谁出？另外退款多久到", ["退货运费谁出", "退款多久到"]),
    ],
)
def test_messages_split_into_their_questions(message: str, questions: list[str]) -> None:
    assert split_questions(message) == questions


def test_clauses_of_one_complaint_stay_one_hand_over() -> None:
    questions = split_questions("推车轮子掉了 宝宝差点摔了 你们怎么搞的")
    assert len(questions) == 1
    assert handover_kind(questions[0]) == "complaint"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("宝宝拉肚子三天了 还有点发烧 要不要去医院", "medical"),
        ("my baby keeps vomiting after feeds", "medical"),
        ("奶粉里有虫子!!!", "complaint"),
        ("我的快递到哪了", "order"),
        ("订单号2026112612345 啥时候发", "order"),
        ("你们的奶粉和飞鹤哪个好", "brand"),
        ("宝宝红屁屁怎么护理", None),
        ("满多少包邮", None),
        ("滿多少包郵", None),
    ],
)
def test_hand_over_kinds(text: str, kind: str | None) -> None:
    assert handover_kind(text) == kind
