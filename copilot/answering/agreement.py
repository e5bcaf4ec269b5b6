"""Evidence agreement: candidates stating the same fact support one answer together.

The choice model shares probability between passages that state the same fact (an FAQ, the
policy section and a product row all saying 40–50℃); the chance that the chosen answer is right
is the probability of every candidate agreeing with the chosen answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from copilot.answering.lexicon import char_grams

# A number or a range (40–50 is one value: 37–40 is another, not half of it).
VALUE = re.compile(r"\d+(?:[.:]\d+)?(?:\s*[–~\-至]\s*\d+(?:[.:]\d+)?)?")
DASH = re.compile(r"\s*[–~\-至]\s*")
SAME_WORDING = 0.6  # share of an answer's character pairs another answer without values repeats


def _values(text: str) -> set[str]:
    return {DASH.sub("-", v) for v in VALUE.findall(text)}


def _pairs(text: str) -> set[str]:
    return {g for g in char_grams(text) if len(g) > 1}


def agrees(answer: str, other: str) -> bool:
    """Whether `other` states the fact of `answer`: at least half of its values, or for an answer
    without values (不支持指定快递), most of its wording (the FAQ and the policy saying it)."""
    values = _values(answer)
    if values:
        return len(values & _values(other)) * 2 >= len(values)
    pairs = _pairs(answer)
    return bool(pairs) and len(pairs & _pairs(other)) >= SAME_WORDING * len(pairs)


def support(best: int, answers: Sequence[str], probabilities: Sequence[float]) -> float:
    """P of answer `best` plus P of each other answer agreeing with it."""
    total = probabilities[best] + sum(
        p
        for i, (answer, p) in enumerate(zip(answers, probabilities, strict=True))
        if i != best and agrees(answers[best], answer)
    )
    return min(total, 1.0)
