"""The `optout` rule: every personalised marketing message tells the customer how to opt out,
as an instruction they can act on (回复TD退订 / Reply STOP), not a mere mention of the word.

Patterns are product content in `data/optout.yaml`, matched on the normalised draft.
"""

from __future__ import annotations

import re
from functools import lru_cache

from copilot.guardrails.context import RuleContext
from copilot.guardrails.datafiles import DataFile, compile_terms, load
from copilot.guardrails.models import CheckInput, Finding
from copilot.guardrails.normalize import normalize
from copilot.messages import msg


class OptOutData(DataFile):
    instructions: list[str]
    negations: list[str]
    suggested_zh: str
    suggested_en: str


@lru_cache(maxsize=1)
def _data() -> tuple[OptOutData, re.Pattern[str], re.Pattern[str]]:
    data = load("optout.yaml", OptOutData)
    return (
        data,
        compile_terms(data.instructions, "optout.yaml:instructions"),
        compile_terms(data.negations, "optout.yaml:negations"),
    )


# A clause: the stretch between sentence ends and commas around the instruction.
_CLAUSE_END = "。！？!?\n，,;；"


def _clause(text: str, start: int, end: int) -> str:
    first = max(text.rfind(ch, 0, start) for ch in _CLAUSE_END) + 1
    ends = [i for i in (text.find(ch, end) for ch in _CLAUSE_END) if i >= 0]
    return text[first : min(ends, default=len(text))]


def has_opt_out(text: str) -> bool:
    """Whether `text` carries an actionable opt-out instruction that no clause negates."""
    _, instruction, negation = _data()
    folded = normalize(text).text
    return any(
        not negation.search(_clause(folded, *m.span())) for m in instruction.finditer(folded)
    )


class OptOutRule:
    """Blocks a personalised marketing message that lacks an actionable opt-out line."""

    id = "optout"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        personalised = draft.purpose is not None or bool(draft.fields)
        if draft.task != "message" or not (ctx.marketing.is_marketing or personalised):
            return []
        if has_opt_out(draft.text):
            return []
        data = _data()[0]
        return [
            Finding(
                rule="optout",
                severity="block",
                start=len(draft.text),
                end=len(draft.text),
                message=msg(
                    "个性化营销消息缺少可执行的退订方式(提到“退订”或声明不支持退订都不算)",
                    "the personalised marketing message has no actionable opt-out instruction "
                    "(mentioning the word, or saying it is not supported, does not count)",
                ),
                fix=msg(f"在末尾加上「{data.suggested_zh}」", f"append «{data.suggested_en}»"),
            )
        ]
