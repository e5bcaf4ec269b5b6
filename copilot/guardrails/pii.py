"""Personal data: scan, redact, and the `pii` rule that blocks drafts leaking it."""

from __future__ import annotations

import re
from typing import Literal

from copilot.guardrails.context import RuleContext
from copilot.guardrails.models import CheckInput, Finding, PiiEntity, RedactionResult
from copilot.guardrails.normalize import normalize
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
from copilot.guardrails.recognizer import PatternRecognizer, digit_count, digits_of
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


def scan_pii(text: str) -> list[PiiEntity]:
    """Personal data in `text`, non-overlapping, in reading order."""
    plain = normalize(text)
    digits = plain.join_digits()
    views = {"plain": plain, "digits": digits}
    # A trigger shared by several recognizers (a digit) is looked for once; joining digit groups
    # removes only separators, so the plain text answers for both views.
    triggered: dict[str | None, bool] = {}
    candidates: list[PiiEntity] = []
    digits_in_text = digit_count(plain.text)  # the digit view holds no more
    for r in RECOGNIZERS:
        if digits_in_text < r.min_digits:
            continue
        if r.trigger not in triggered:
            triggered[r.trigger] = r.triggered(plain.text)
        if triggered[r.trigger]:
            # one pass per recognizer when joining digit groups changed nothing
            for name in r.views if digits is not plain else r.views[:1]:
                candidates += r.find(views[name])
    candidates.sort(key=lambda e: (e.start, -e.score, -(e.end - e.start), _PRIORITY[e.type]))
    kept: list[PiiEntity] = []
    for entity in candidates:
        if kept and entity.start < kept[-1].end:
            if _better(entity, kept[-1]):
                kept[-1] = entity
            continue
        kept.append(entity)
    return kept


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
    if language is None:
        language = "zh" if _CJK.search(text) else "en"
    names = PLACEHOLDERS if language == "zh" else PLACEHOLDERS_EN
    entities = scan_pii(text)
    parts: list[str] = []
    position = 0
    for entity in entities:
        parts.append(text[position : entity.start])
        parts.append(f"[{names[entity.type]}]")
        position = entity.end
    parts.append(text[position:])
    return RedactionResult(text="".join(parts), entities=entities)


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
