"""Personal data: scan, redact, and the `pii` rule that blocks drafts leaking it."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from copilot.guardrails.context import RuleContext
from copilot.guardrails.models import CheckInput, Finding, PiiEntity, RedactionResult
from copilot.guardrails.normalize import Normalized, normalize
from copilot.guardrails.pii_cn import (
    AddressRecognizer,
    BankCardRecognizer,
    LandlineRecognizer,
    MobileRecognizer,
    PassportRecognizer,
    PersonRecognizer,
    PlateRecognizer,
    QQRecognizer,
    ResidentIdRecognizer,
    WeChatRecognizer,
)
from copilot.guardrails.pii_en import EmailRecognizer, IpRecognizer, PhoneRecognizer, SsnRecognizer
from copilot.guardrails.recognizer import (
    PatternRecognizer,
    PatternSet,
    digit_count,
    digits_of,
    opens_after_non_digit,
)
from copilot.messages import msg

# Order is priority when two equally scored matches overlap (an ID beats a card number).
RECOGNIZERS: tuple[PatternRecognizer, ...] = (
    ResidentIdRecognizer(),
    BankCardRecognizer(),
    MobileRecognizer(),
    LandlineRecognizer(),
    EmailRecognizer(),
    WeChatRecognizer(),
    QQRecognizer(),
    PlateRecognizer(),
    PassportRecognizer(),
    AddressRecognizer(),
    PersonRecognizer(),
    SsnRecognizer(),
    IpRecognizer(),
    PhoneRecognizer(),
)
PLACEHOLDERS = {r.entity: r.placeholder for r in RECOGNIZERS}
PLACEHOLDERS_EN = {r.entity: r.placeholder_en for r in RECOGNIZERS}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PRIORITY = {r.entity: index for index, r in enumerate(RECOGNIZERS)}


# Recognizers read in one pass per view (`PatternSet`): every pattern opens after a non-digit and
# no trigger gates them. The others read the text pattern by pattern.
_JOINT = frozenset(
    index
    for index, r in enumerate(RECOGNIZERS)
    if r.trigger is None and all(opens_after_non_digit(p.regex) for p in r.patterns)
)
_MIN_DIGITS = sorted({r.min_digits for r in RECOGNIZERS})
_TRIGGERS = tuple(dict.fromkeys(r.trigger for r in RECOGNIZERS if r.trigger is not None))
_TRIGGER_SEARCHES = tuple(re.compile(trigger).search for trigger in _TRIGGERS)
# A candidate sorts by start, score (high first), length (long first), recognizer priority, then
# as one pass per recognizer, view and pattern would have found it: (recognizer, view, pattern or
# position in the recognizer's list, match start). The entity comes last and is never compared.
_Candidate = tuple[int, float, int, int, tuple[int, int, int, int], PiiEntity]


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a text is read with; it depends only on how many digits the text holds, which
    triggers occur in it and whether its digit view differs from the plain one."""

    joint: tuple[tuple[PatternSet, tuple[tuple[int, int], ...]] | None, ...]  # per view
    single: tuple[tuple[int, int], ...]  # (recognizer, view) read pattern by pattern


def scan_pii(text: str) -> list[PiiEntity]:
    """Personal data in `text`, non-overlapping, in reading order."""
    plain = normalize(text)
    digits = plain.join_digits()
    # The digit view holds no more digits, and joining digit groups removes only separators, so
    # the plain text answers the digit count and the triggers for both views.
    plan = _plan(
        bisect_right(_MIN_DIGITS, digit_count(plain.text)),
        tuple([search(plain.text) is not None for search in _TRIGGER_SEARCHES]),
        digits is not plain,
    )
    views = (plain, digits)
    candidates: list[_Candidate] = []
    for view, joint in enumerate(plan.joint):
        if joint is not None:
            candidates += _joint_candidates(views[view], view, *joint)
    for index, view in plan.single:
        candidates += (
            _candidate(entity, (index, view, position, 0))
            for position, entity in enumerate(RECOGNIZERS[index].find(views[view]))
        )
    candidates.sort()
    kept: list[PiiEntity] = []
    for *_, entity in candidates:
        if kept and entity.start < kept[-1].end:
            if _better(entity, kept[-1]):
                kept[-1] = entity
            continue
        kept.append(entity)
    return kept


def _candidate(entity: PiiEntity, order: tuple[int, int, int, int]) -> _Candidate:
    return (
        entity.start,
        -entity.score,
        entity.start - entity.end,
        _PRIORITY[entity.type],
        order,
        entity,
    )


@lru_cache(maxsize=256)
def _plan(level: int, fired: tuple[bool, ...], split: bool) -> _Plan:
    """The plan for a text holding at least _MIN_DIGITS[level - 1] digits (and fewer than
    _MIN_DIGITS[level]), in which the triggers `fired`, whose digit view differs (`split`)."""
    views = {"plain": 0, "digits": int(split)}
    joint: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
    single: list[tuple[int, int]] = []
    for index, r in enumerate(RECOGNIZERS):
        if _MIN_DIGITS.index(r.min_digits) >= level:
            continue
        if r.trigger is not None and not fired[_TRIGGERS.index(r.trigger)]:
            continue
        for view in dict.fromkeys(views[name] for name in r.views):
            if index in _JOINT:
                joint[view].extend((index, position) for position in range(len(r.patterns)))
            else:
                single.append((index, view))
    return _Plan(
        joint=tuple(
            (_pattern_set(tuple(members)), tuple(members)) if members else None for members in joint
        ),
        single=tuple(single),
    )


def _joint_candidates(
    norm: Normalized, view: int, patterns: PatternSet, members: tuple[tuple[int, int], ...]
) -> list[_Candidate]:
    """Candidates of the (recognizer, pattern) `members` in one view, read in one pass."""
    found: list[_Candidate] = []
    for member, start, value_start, value_end in patterns.find(norm.text):
        index, position = members[member]
        r = RECOGNIZERS[index]
        entity = r.judge(norm, r.patterns[position], value_start, value_end)
        if entity is not None:
            found.append(_candidate(entity, (index, view, position, start)))
    return found


@lru_cache(maxsize=64)
def _pattern_set(members: tuple[tuple[int, int], ...]) -> PatternSet:
    """One regex for the patterns of these (recognizer, pattern) pairs."""
    return PatternSet([RECOGNIZERS[index].patterns[position] for index, position in members])


def _better(new: PiiEntity, old: PiiEntity) -> bool:
    return (new.score, new.end - new.start, -_PRIORITY[new.type]) > (
        old.score,
        old.end - old.start,
        -_PRIORITY[old.type],
    )


def redact(text: str, language: Literal["zh", "en"] | None = None) -> RedactionResult:
    """`text` with each entity replaced by a placeholder in the text's language: «[手机号]» in
    Chinese text, «[PHONE]» in text without Chinese characters (or as `language` says), so a
    redacted English message stays English for the model and in the audit log."""
    entities = scan_pii(text)
    spans = [(e.start, e.end, e.type) for e in entities]
    return RedactionResult(text=_replace(text, spans, language), entities=entities)


def redact_parts(parts: Sequence[str]) -> list[str]:
    """Each of `parts` (a customer's chat turns, oldest first) redacted as `redact` does, and
    personal data that only forms across parts redacted in every part it spans: a number sent
    over two turns (前七位是1382233 / 后四位4455) is read with the turns joined by line breaks."""
    if len(parts) < 2:
        return [redact(part).text for part in parts]
    joined = "\n".join(parts)
    across = scan_pii(joined)
    language: Literal["zh", "en"] = "zh" if _CJK.search(joined) else "en"  # the conversation's
    redacted: list[str] = []
    offset = 0
    for part in parts:
        end = offset + len(part)
        spans = [(e.start, e.end, e.type) for e in scan_pii(part)] + [
            (max(e.start, offset) - offset, min(e.end, end) - offset, e.type)
            for e in across
            if e.start < end and e.end > offset
        ]
        redacted.append(_replace(part, spans, language))
        offset = end + 1
    return redacted


def _replace(
    text: str, spans: list[tuple[int, int, str]], language: Literal["zh", "en"] | None
) -> str:
    """`text` with each span replaced by its type's placeholder; overlapping spans become one
    placeholder (the type of the one that starts first)."""
    if language is None:
        language = "zh" if _CJK.search(text) else "en"
    names = PLACEHOLDERS if language == "zh" else PLACEHOLDERS_EN
    pieces: list[str] = []
    position = 0
    for start, end, kind in sorted(spans):
        if start < position:  # overlaps the placeholder just written
            position = max(position, end)
            continue
        pieces += (text[position:start], f"[{names[kind]}]")
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _key(value: str) -> str:
    """Comparable form of a value: digits for numbers (一三八… = 138…), folded text otherwise."""
    folded = normalize(value).text
    digits = digits_of(folded)
    return digits if len(digits) >= 5 else folded.strip().lower()


class PiiRule:
    """Blocks drafts that contain personal data not supplied on purpose (fields, brief, evidence)."""

    id = "pii"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        supplied = " ".join([*draft.fields.values(), draft.brief, *draft.evidence])
        allowed = {_key(e.text) for e in scan_pii(supplied)} | {
            _key(v) for v in draft.fields.values() if v.strip()
        }
        return [
            Finding(
                rule="pii",
                severity="block",
                start=e.start,
                end=e.end,
                text=e.text,
                message=msg(
                    f"草稿含未授权提供的个人信息({PLACEHOLDERS[e.type]})",
                    f"draft contains personal data that was not supplied on purpose "
                    f"({e.type}; {e.reason})",
                ),
                fix=msg(
                    f"删除或替换为「[{PLACEHOLDERS[e.type]}]」;如确需使用,请通过已授权字段传入",
                    f"remove it or replace it with [{PLACEHOLDERS[e.type]}]; pass it as a "
                    "consented field if it is really needed",
                ),
            )
            for e in scan_pii(draft.text)
            if _key(e.text) not in allowed
        ]
