"""Evidence agreement: candidates stating the same values support one answer together.

The choice model shares probability between passages that state the same fact (an FAQ, the
policy section and a product row all saying 40–50℃); the chance that the chosen answer is right
is the probability of every candidate whose answer states the chosen answer's values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A number or a range (40–50 is one value: 37–40 is another, not half of it).
VALUE = re.compile(r"\d+(?:[.:]\d+)?(?:\s*[–~\-至]\s*\d+(?:[.:]\d+)?)?")
DASH = re.compile(r"\s*[–~\-至]\s*")


def _values(text: str) -> set[str]:
    return {DASH.sub("-", v) for v in VALUE.findall(text)}


def support(best: int, answers: Sequence[str], probabilities: Sequence[float]) -> float:
    """P of answer `best` plus P of each other answer stating at least half of its values; an
    answer without values (不支持指定快递) stands alone."""
    values = _values(answers[best])
    total = probabilities[best]
    if not values:
        return total
    for i, answer in enumerate(answers):
        if i != best and len(values & _values(answer)) * 2 >= len(values):
            total += probabilities[i]
    return min(total, 1.0)
