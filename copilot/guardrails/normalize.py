"""Text normalisation for rules that read numbers: full-width to ASCII, zero-width removed.

Spans found in the normalised text are mapped back to the caller's original offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Full-width ASCII block (！ … ～) maps one-to-one onto ASCII; the ideographic space onto a space.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Zero-width and invisible format characters people (or tools) slip into numbers.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


@dataclass(frozen=True, slots=True)
class Normalized:
    """`text` with `origin[i]` = index in the original of text[i] (None when identical)."""

    text: str
    original: str
    origin: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalised span [start, end)."""
        if self.origin is None or start >= end:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


def normalize(text: str) -> Normalized:
    """Width-fold and strip invisible characters, keeping a map back to original offsets."""
    folded = text.translate(_WIDTH)
    if not _INVISIBLE.search(folded):
        return Normalized(folded, text)
    kept: list[str] = []
    origin: list[int] = []
    position = 0
    for match in _INVISIBLE.finditer(folded):
        kept.append(folded[position : match.start()])
        origin.extend(range(position, match.start()))
        position = match.end()
    kept.append(folded[position:])
    origin.extend(range(position, len(folded)))
    return Normalized("".join(kept), text, origin)
