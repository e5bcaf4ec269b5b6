"""The `optout` rule: every personalised marketing message tells the customer how to opt out,
as an instruction they can act on (回复TD退订 / Reply STOP), not a mere mention of the word,
and the message does not deny or take it back (回复TD退订已失效 / 开玩笑的，退不了).

The draft is read clause by clause (commas and sentence marks end a clause; a bracketed aside
stays in its clause). A clause about the opt-out that negates it — the instruction's own clause
or any other that names it — voids the opt-out, unless the negation only says what the customer
no longer receives after unsubscribing (退订后将无法收到优惠通知). Words that take it back
(开玩笑的) void it from the first instruction on. Patterns are product content in
`data/optout.yaml`, matched on the normalised draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from copilot.guardrails.context import RuleContext
from copilot.guardrails.datafiles import DataFile, compile_terms, load
from copilot.guardrails.models import CheckInput, Finding
from copilot.guardrails.normalize import Normalized, normalize
from copilot.messages import msg


class Consequences(DataFile):
    markers: list[str]
    receives: list[str]


class OptOutData(DataFile):
    instructions: list[str]
    mentions: list[str]
    negations: list[str]
    retractions: list[str]
    consequences: Consequences
    suggested_zh: str
    suggested_en: str


# Between a negation and what the customer no longer receives: a few adverbs (无法再收到,
# 无法第一时间收到) or a few English words (won't be able to receive).
_GAP = r"(?:[^\sa-z，,。；;！？!?]{0,4}?|(?:\s+[a-z']+){0,3}?\s+)"


@dataclass(frozen=True, slots=True)
class OptOutPatterns:
    data: OptOutData
    instruction: re.Pattern[str]
    mention: re.Pattern[str]
    negation: re.Pattern[str]
    retraction: re.Pattern[str]
    marker: re.Pattern[str]
    receives: re.Pattern[str]  # matched right after a negation, gap included


def compile_patterns(data: OptOutData) -> OptOutPatterns:
    """The data file's patterns compiled; a bad entry raises ConfigError naming its list."""
    where = "optout.yaml:"
    return OptOutPatterns(
        data=data,
        instruction=compile_terms(data.instructions, where + "instructions"),
        mention=compile_terms(data.mentions, where + "mentions"),
        negation=compile_terms(data.negations, where + "negations"),
        retraction=compile_terms(data.retractions, where + "retractions"),
        marker=compile_terms(data.consequences.markers, where + "consequences.markers"),
        receives=compile_terms(
            [_GAP + f"(?:{term})" for term in data.consequences.receives],
            where + "consequences.receives",
        ),
    )


@lru_cache(maxsize=1)
def _patterns() -> OptOutPatterns:
    return compile_patterns(load("optout.yaml", OptOutData))


_CLAUSE_END = "。！？!?\n，,;；"
_OPEN, _CLOSE = "（(【[「『〔〈《{", "）)】]」』〕〉》}"
_MARKS = re.compile("[" + re.escape(_CLAUSE_END + _OPEN + _CLOSE) + "]")


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the clauses of `text`: a clause mark inside brackets does not end one (an
    unclosed bracket runs to the end of the text)."""
    spans: list[tuple[int, int]] = []
    start = depth = 0
    for mark in _MARKS.finditer(text):
        char = mark.group()
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0:
            spans.append((start, mark.start()))
            start = mark.end()
    spans.append((start, len(text)))
    return spans


def _denies(clause: str, p: OptOutPatterns) -> bool:
    """Whether a clause about the opt-out negates it (a consequence of unsubscribing does not)."""
    marker = p.marker.search(clause)
    mention = -1  # where the clause's last mention of the opt-out starts
    for mention_match in p.mention.finditer(clause):
        mention = mention_match.start()
    for negation in p.negation.finditer(clause):
        consequence = (
            marker is not None
            and marker.end() <= negation.start()
            and p.receives.match(clause, negation.end()) is not None
            and mention < negation.end()
        )
        if not consequence:
            return True
    return False


@dataclass(frozen=True, slots=True)
class OptOutReading:
    """What a draft says about opting out: whether it instructs how, and where (offsets in the
    original text) it denies or takes that back, if it does."""

    instructed: bool
    denial: tuple[int, int] | None

    @property
    def actionable(self) -> bool:
        return self.instructed and self.denial is None


class _Matches:
    """Where a pattern matched in the text, asked about clauses in ascending order."""

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.spans = [m.span() for m in pattern.finditer(text)]
        self.index = 0

    def within(self, start: int, end: int) -> bool:
        """Whether a match overlaps [start, end); later calls must not ask about earlier text."""
        spans = self.spans
        while self.index < len(spans) and spans[self.index][1] <= start:
            self.index += 1
        return self.index < len(spans) and spans[self.index][0] < end


def read_opt_out(text: str) -> OptOutReading:
    """Read the opt-out of `text` (see the module docstring)."""
    p = _patterns()
    norm = normalize(text)
    folded = norm.text
    instructions = _Matches(p.instruction, folded)
    if not instructions.spans:
        return OptOutReading(instructed=False, denial=None)
    negations, retractions = _Matches(p.negation, folded), _Matches(p.retraction, folded)
    if not (negations.spans or retractions.spans):
        return OptOutReading(instructed=True, denial=None)
    first = instructions.spans[0][0]
    for start, end in clauses(folded):
        retracted = retractions.within(start, end) and end > first
        if not (retracted or negations.within(start, end)):
            continue
        clause = folded[start:end]
        named = instructions.within(start, end) or p.mention.search(clause) is not None
        if retracted or (named and _denies(clause, p)):
            return OptOutReading(instructed=True, denial=_stripped(norm, start, end))
    return OptOutReading(instructed=True, denial=None)


def _stripped(norm: Normalized, start: int, end: int) -> tuple[int, int]:
    """The original span of a clause, without the blanks around it."""
    clause = norm.text[start:end]
    start += len(clause) - len(clause.lstrip())
    end -= len(clause) - len(clause.rstrip())
    return norm.to_original(start, end)


def has_opt_out(text: str) -> bool:
    """Whether `text` carries an actionable opt-out instruction that it does not deny."""
    return read_opt_out(text).actionable


class OptOutRule:
    """Blocks a personalised marketing message that lacks an actionable opt-out line."""

    id = "optout"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        personalised = draft.purpose is not None or bool(draft.fields)
        if draft.task != "message" or not (ctx.marketing.is_marketing or personalised):
            return []
        reading = read_opt_out(draft.text)
        if reading.actionable:
            return []
        data = _patterns().data
        if reading.denial is not None:
            start, end = reading.denial
            span = draft.text[start:end]
            return [
                Finding(
                    rule="optout",
                    severity="block",
                    start=start,
                    end=end,
                    text=span,
                    message=msg(
                        f"退订说明被否定或撤回，不算可执行的退订方式：「{span}」",
                        f"the opt-out is denied or taken back, so it is not actionable: «{span}»",
                    ),
                    fix=msg(
                        f"删去否定或撤回退订的这句话，保留可执行的退订方式(如「{data.suggested_zh}」)",
                        "remove this sentence that denies or takes back the opt-out and keep an "
                        f"actionable one (such as «{data.suggested_en}»)",
                    ),
                )
            ]
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
