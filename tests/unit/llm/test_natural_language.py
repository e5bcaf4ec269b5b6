from __future__ import annotations

import pytest

from copilot.guardrails import check
from copilot.guardrails.models import CheckInput
from copilot.guardrails.natural_language import machine_output
from copilot.messages import render

PROSE = [
    "您好!满99元包邮哦,您这单89元,再凑10元就能包邮啦~ 如还有其他问题,随时告诉我。",
    "【干货分享|M码纸尿裤】\n✅ M码适合6-11kg宝宝。\n✅ 腰围贴合不勒肚子。\n大家有问题欢迎留言~",
    "Hi! Orders over ¥99 ship free: add ¥10 more to your ¥89 order. Reply TD to unsubscribe.",
    "亲爱的王芳,会员日来啦!作为我们的金禾会员,为您送上:全场8折。回复TD退订",
]
MACHINE = [
    ('{"$defs": {"Suggestion": {"properties": {"text": {"type": "string"}}}}}', "schema"),
    ('{"suggestions": [{"text": "您好", "citations": ["K1"]}]}', "json"),
    ("<think>用户问包邮</think>满99包邮", "reasoning"),
    ("```json\n好的\n```", "fence"),
    ("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "html"),
    ("def reply(message):\n    return '您好'", "code"),
    ("你的回复(JSON):<customer_message>满多少钱包邮", "prompt_markup"),
    ('您好,<thread><turn role="customer">满多少包邮</turn></thread>', "prompt_markup"),
    ("{[(<>)]} ;;; === \\\\ {{}} [[]] <<>>", "syntax"),
]


@pytest.mark.parametrize("text", PROSE)
def test_prose_passes(text: str) -> None:
    assert machine_output(text) is None


@pytest.mark.parametrize(("text", "kind"), MACHINE)
def test_machine_output_is_named(text: str, kind: str) -> None:
    problem = machine_output(text)
    assert problem is not None and problem.kind == kind


def test_the_pipeline_blocks_a_schema_as_a_draft() -> None:
    verdict = check(CheckInput(id="r", task="reply", text=MACHINE[0][0]))
    assert verdict.verdict == "block"
    finding = next(f for f in verdict.findings if f.rule == "natural_language")
    assert finding.severity == "block" and finding.fix
    assert render(finding.message, "zh") == "草稿不是给人读的文字,而是JSON Schema"
    assert render(finding.message, "en") == "the draft is not natural language but JSON Schema"
