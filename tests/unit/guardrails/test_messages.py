"""Findings keep both languages: a verdict dumped for a face reads in one language only, while
rule ids and spans stay the same machine-readable values in both."""

from __future__ import annotations

import json
import re

from copilot.guardrails import check
from copilot.messages import Msg, language
from tests.unit.guardrails.conftest import NOON, draft

HAN = re.compile(r"[\u3400-\u9fff]")
# Unsupported price, an absolute term, a quiet-hours post, a personalised message without opt-out
DRAFTS = [
    draft("全网最低价,这款只要19元", evidence=["这款奶粉 89 元"]),
    draft(
        "今晚干货分享:宝宝洗澡水温 37 度",
        task="post",
        community="g1",
        post_type="tips",
        scheduled_at="2026-11-10T23:30:00+08:00",
    ),
    draft("王姐,会员日全场8折", task="message", fields={"name": "王姐"}),
]


def _findings(lang: str) -> list[dict[str, object]]:
    with language(lang):  # type: ignore[arg-type]
        return [f for d in DRAFTS for f in check(d, now=NOON).model_dump()["findings"]]


def test_findings_render_in_the_language_of_the_face() -> None:
    chinese, english = _findings("zh"), _findings("en")
    assert {f["rule"] for f in english} >= {"grounding", "cadence", "optout"}
    assert [(f["rule"], f["severity"], f["start"], f["end"]) for f in chinese] == [
        (f["rule"], f["severity"], f["start"], f["end"]) for f in english
    ]
    for zh, en in zip(chinese, english, strict=True):
        assert HAN.search(str(zh["message"])), zh
        quoted = str(en["text"])  # the draft's own words may be quoted in either language
        assert not HAN.search((str(en["message"]) + str(en["fix"])).replace(quoted, "")), en
    assert "19元" in json.dumps(english, ensure_ascii=False)  # quoted, not translated


def test_a_finding_keeps_both_languages_in_memory() -> None:
    verdict = check(DRAFTS[1], now=NOON)
    cadence = next(f for f in verdict.findings if f.rule == "cadence")
    assert isinstance(cadence.message, Msg) and isinstance(cadence.fix, Msg)
    assert cadence.message.zh == "23:30 处于免打扰时段 21:00–09:00(Asia/Shanghai)"
    assert cadence.message.en == "23:30 is inside the quiet hours 21:00–09:00 (Asia/Shanghai)"
    assert cadence.fix.en == "schedule it between 09:00 and 21:00"
