from __future__ import annotations

import pytest

from copilot.drafting.outputs import JudgeOutput
from copilot.llm.parsing import OutputParseError, parse_structured
from copilot.messages import render

GOOD = '{"passed": true, "score": 0.8, "reason": "ok"}'
EXPECTED = {"passed": True, "score": 0.8, "reason": "ok"}


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        (GOOD, False),
        (f"```json\n{GOOD}\n```", True),
        (f"好的,结果如下:\n{GOOD}\n希望有帮助", True),
        ('{"passed": true, "score": 0.8, "reason": "ok",}', True),
        ("{'passed': true, 'score': 0.8, 'reason': 'ok'}", True),
        ("{“passed”: true, “score”: 0.8, “reason”: “ok”}", True),
        (f'{{"note": "first object is wrong"}} then {GOOD}', True),
    ],
)
def test_parse_repairs_common_model_output(text: str, repaired: bool) -> None:
    assert parse_structured(text, JudgeOutput) == (EXPECTED, repaired)


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("", "(空)", "(empty)"),
        ("I cannot answer that.", "I cannot answer that.", "I cannot answer that."),
        (
            '{"passed": "maybe", "score": 3}',
            "; 字段错误: passed: Input should be a valid boolean",
            "; field errors: passed: Input should be a valid boolean",
        ),
        ("[1, 2, 3]", "不是 JudgeOutput JSON", "not JudgeOutput JSON"),
    ],
)
def test_parse_failure_names_schema_and_shows_text(text: str, zh: str, en: str) -> None:
    with pytest.raises(OutputParseError) as caught:
        parse_structured(text, JudgeOutput, endpoint="http://x/v1")
    assert zh in render(caught.value.message, "zh")
    assert en in render(caught.value.message, "en")
    assert caught.value.endpoint == "http://x/v1"
    assert caught.value.where == "http://x/v1"
    assert caught.value.raw == text
