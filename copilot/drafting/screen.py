"""Screening a model's suggestions before anyone sees them.

A suggestion whose text is machine output (JSON, a schema, code, a fence, reasoning) or a copy of
the prompt's own words (its rules, a schema description) or of the customer's message is dropped; one written in the
wrong language is kept but flagged for a person. The guardrail rule
`natural_language` applies the same test again to every draft, however it was made.
"""

from __future__ import annotations

import functools
import re
from difflib import SequenceMatcher
from typing import Any, NamedTuple

from copilot.drafting.models import Language
from copilot.guardrails.natural_language import machine_output
from copilot.messages import Text, msg, render

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
# English drafts may name a product in Chinese; beyond this share of letters they are Chinese.
MAX_CJK_SHARE_EN = 0.3
# Shorter texts may legitimately repeat a phrase of the instructions.
MIN_ECHO_CHARS = 6
# A reply this similar to the customer's message repeats it instead of answering.
ECHO_SIMILARITY = 0.8


def wrong_language(text: str, language: Language) -> bool:
    """A zh draft with no Chinese at all, or an en draft written mostly in Chinese."""
    cjk, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    if language == "zh":
        return cjk == 0 and latin >= 3
    return cjk > MAX_CJK_SHARE_EN * max(1, cjk + latin)


def _letters(text: str) -> str:
    """Letters, digits and CJK characters only, lowercased: 1–3 and 1-3 compare equal."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


@functools.lru_cache(maxsize=64)
def _instruction_letters(source: str) -> str:
    """`_letters` of a prompt's instructions: the same few texts for every reply."""
    return _letters(source)


def _echoes(text: str, instructions: list[str], customer_message: str) -> bool:
    """Whether a suggestion is copied from the instructions (rules, schema descriptions) or
    is (nearly) the customer's own message."""
    core = _letters(text)
    if len(core) < MIN_ECHO_CHARS:
        return False
    if any(core in _instruction_letters(source) for source in instructions):
        return True
    asked = _letters(customer_message)
    return bool(asked) and SequenceMatcher(None, core, asked).ratio() >= ECHO_SIMILARITY


class Screened(NamedTuple):
    """Suggestions to keep, notes for a person, and why each dropped one was dropped
    ("machine" output or "copied" words)."""

    kept: list[dict[str, Any]]
    notes: list[Text]
    dropped: list[str]


def screen(
    items: list[dict[str, Any]], language: Language, instructions: list[str], customer_message: str
) -> Screened:
    """Machine output and copies of `instructions` or of the customer's message dropped, wrong
    language flagged."""
    result = Screened([], [], [])
    for index, item in enumerate(items, start=1):
        problem = machine_output(str(item.get("text", "")))
        if problem is not None:
            result.dropped.append("machine")
            result.notes.append(
                msg(
                    f"建议 {index} 不是自然语言({render(problem.what, 'zh')}),已丢弃",
                    f"suggestion {index} was {render(problem.what, 'en')}, not natural language: "
                    "dropped",
                )
            )
            continue
        if _echoes(str(item.get("text", "")), instructions, customer_message):
            result.dropped.append("copied")
            result.notes.append(
                msg(
                    f"建议 {index} 照抄了提示词或客户的话,已丢弃",
                    f"suggestion {index} copied the prompt or the customer's words: dropped",
                )
            )
            continue
        if wrong_language(str(item.get("text", "")), language):
            item = {**item, "needs_human": True}
            result.notes.append(
                msg(
                    f"建议 {index} 的语言不是{'中文' if language == 'zh' else '英文'},需人工确认",
                    f"suggestion {index} is not in {'Chinese' if language == 'zh' else 'English'}: "
                    "a person must check it",
                )
            )
        result.kept.append(item)
    return result
