"""The opt-out line against denials, retractions and reworded instructions: what is negated
decides — the opt-out itself (a denial) or what the customer no longer gets after it (a
consequence)."""

from __future__ import annotations

import pytest

from copilot.errors import ConfigError
from copilot.guardrails import datafiles
from copilot.guardrails.optout import (
    OptOutData,
    clauses,
    compile_patterns,
    has_opt_out,
    read_opt_out,
)
from copilot.messages import render
from tests.unit.guardrails.conftest import run

PERSONALISED = {
    "task": "message",
    "purpose": "marketing_personalisation",
    "fields": {"name": "王芳"},
}


@pytest.mark.parametrize(
    "text",
    [
        "会员日8折。想退订的话，回复TD也没有用",  # 没有用 in the instruction's clause
        "会员日8折。回复TD退订早已过期",
        "会员日8折。回复TD退订功能停用了",
        "会员日8折。回复TD退订不会生效",
        "会员日8折。回复N退订（本月不受理）",  # a bracketed aside right after the instruction
        "会员日8折。（回复TD退订，新会员不适用）",  # a comma inside the brackets keeps the clause
        "会员日8折。回复TD退订【尚未开通】",
        "会员日8折。回复TD退订，退订不了的哈",  # a later clause about the opt-out denies it
        "会员日8折。回复TD退订。此功能未开放",  # 此功能 refers back to it
        "会员日8折。回复TD退订后无法收到您的退订",  # a consequence that is about the opt-out itself
        "会员日8折。回复TD退订我们无法收到",  # no marker of what follows unsubscribing
        "Member day 20% off. Reply STOP to opt out (this option is no longer available).",
        "Member day 20% off. Reply STOP to unsubscribe; STOP will not work.",
        "会员日8折，退订请回复TD（回复后仍会继续推送）",  # hollow
        "会员日8折，回复TD退订，但退订需先付清尾款",  # a price on unsubscribing
        "Member day 20% off. Reply STOP to unsubscribe (you must first pay the balance).",
    ],
)
def test_a_denial_of_the_opt_out_voids_it(text: str) -> None:
    assert has_opt_out(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "会员日8折。回复TD退订。逗你玩的",
        "会员日8折。退订请回复T。唬你的，哈哈",
        "Member day 20% off. Reply STOP to opt out. Just kidding!",
        "会员日8折，回复TD退订？才怪",
    ],
)
def test_a_retraction_after_the_instruction_voids_it(text: str) -> None:
    assert has_opt_out(text) is False


@pytest.mark.parametrize(
    "text",
    [
        # what the customer no longer receives after unsubscribing is a consequence
        "会员日8折。回复TD退订，之后就无法第一时间收到新品通知啦",
        "会员日8折。回复TD退订后不能再领取生日礼",
        "会员日8折。回复TD退订后仍会保留您的积分",  # what stays is no hollow opt-out
        "会员日8折。回复T退订（退订后无法参加会员日活动）",
        "Member day 20% off. Reply STOP to opt out; once you opt out you can't receive coupons.",
        "Member day 20% off. Reply STOP to unsubscribe, after which you will not be able to "
        "receive member prices.",
        # a negation about something else, even in the instruction's sentence
        "会员日8折，不能错过哦。回复TD退订，不会产生任何费用",
        "会员日8折。优惠券过期前可随时回复TD退订",  # 过期前 is a time
        # a retraction before the instruction, or one that vouches for it, takes nothing back
        "开玩笑，这价格也太低了吧！回复TD退订",
        "真的8折，不骗你。回复TD退订",
        "会员日8折。回复TD退订。不是开玩笑，真8折",
    ],
)
def test_a_consequence_or_an_unrelated_negation_keeps_the_opt_out(text: str) -> None:
    assert has_opt_out(text) is True


@pytest.mark.parametrize(
    ("text", "actionable"),
    [
        ("会员日8折。回T退", True),  # the SMS short form
        ("会员日8折。回复N退", True),
        ("会员日8折。回复T退款", False),  # 退款 / 退货 are refunds and returns
        ("会员日8折。回复0退货", False),
        ("会员日8折。退订请回复 T D", True),  # letters spaced out
        ("会员日8折。不想再收到？发送「退订」即可", True),  # the keyword says it
        ("会员日8折。请回复退订", True),
        ("会员日8折。我们会尽快回复退订申请", False),
        ("王芳，会员日奶粉8折，不想收到可以拉黑我哈", False),
        ("王芳，会员日8折，回复TD参与抽奖", False),
        ("王芳，会员日8折。退订链接：", False),
    ],
)
def test_instruction_wordings(text: str, actionable: bool) -> None:
    assert has_opt_out(text) is actionable


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("甲，乙。丙", ["甲", "乙", "丙"]),
        ("甲（乙，丙）丁，戊", ["甲（乙，丙）丁", "戊"]),
        ("甲【乙（丙，丁）】，戊", ["甲【乙（丙，丁）】", "戊"]),
        ("甲）乙，丙", ["甲）乙", "丙"]),  # a stray closing bracket does not open anything
        ("甲（乙，丙。丁", ["甲（乙，丙。丁"]),  # an unclosed bracket runs to the end
    ],
)
def test_clauses_keep_bracketed_asides_whole(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in clauses(text)] == expected


def test_denial_is_the_clause_in_the_original_text() -> None:
    text = "會員日8折。 回覆T\u200bD退訂已失效 。謝謝"
    reading = read_opt_out(text)
    assert reading.instructed and not reading.actionable
    assert reading.denial is not None
    assert text[slice(*reading.denial)] == "回覆T\u200bD退訂已失效"


def test_denial_finding_names_the_sentence_and_how_to_fix_it() -> None:
    text = "王芳，会员日8折。回复TD退订已失效。谢谢支持 回复TD退订"
    [finding] = run(text, "optout", **PERSONALISED).findings
    assert (finding.severity, finding.text) == ("block", "回复TD退订已失效")
    assert text[finding.start : finding.end] == finding.text
    assert render(finding.message, "zh") == (
        "退订说明被否定或撤回，不算可执行的退订方式：「回复TD退订已失效」"
    )
    assert render(finding.message, "en") == (
        "the opt-out is denied or taken back, so it is not actionable: «回复TD退订已失效»"
    )
    assert render(finding.fix, "zh") == (
        "删去否定或撤回退订的这句话，保留可执行的退订方式(如「回复TD退订」)"
    )
    assert render(finding.fix, "en") == (
        "remove this sentence that denies or takes back the opt-out and keep an actionable one "
        "(such as «Reply TD to unsubscribe.»)"
    )


def test_a_message_without_instruction_still_gets_the_append_fix() -> None:
    text = "王芳，会员日8折，回复TD参与抽奖"
    [finding] = run(text, "optout", **PERSONALISED).findings
    assert (finding.start, finding.end, finding.text) == (len(text), len(text), "")
    assert render(finding.fix, "zh") == "在末尾加上「回复TD退订」"


def test_a_consequence_passes_the_rule() -> None:
    text = "王芳，会员日8折。回复TD退订后将无法收到会员日提醒"
    assert run(text, "optout", **PERSONALISED).findings == []


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ("mentions", "optout.yaml:mentions"),
        ("retractions", "optout.yaml:retractions"),
        ("receives", "optout.yaml:consequences.receives"),
    ],
)
def test_a_broken_pattern_names_its_list(field: str, where: str) -> None:
    data = datafiles.load("optout.yaml", OptOutData)
    if field == "receives":
        broken = data.consequences.model_copy(update={"receives": ["("]})
        data = data.model_copy(update={"consequences": broken})
    else:
        data = data.model_copy(update={field: ["("]})
    with pytest.raises(ConfigError) as caught:
        compile_patterns(data)
    assert caught.value.where == where
