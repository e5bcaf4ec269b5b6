"""Pattern recognizers for personal data: tiny classes whose behaviour is data.

A recognizer states its entity type, regex patterns with a base score, context words that raise
the score (and negative context that drops the match: the cue nearest the value wins), a
`validate` hook for checksums and a `plausible` hook that may use the cue. Numbers are read in
the digit view of the normalised text (`Normalized.join_digits`) as well as the plain one.
Every result carries the reason it fired. Patterns use digit/letter look-arounds, never ``\\b``,
which fails between Chinese characters and digits, and open with the character they need
(``[1-9](?<![0-9].)…`` rather than ``(?<![0-9])[1-9]…``): Python's regex engine then skips to
that character instead of trying the look-behind at every position, several times faster.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from copilot.guardrails.models import PiiEntity
from copilot.guardrails.normalize import Normalized


@dataclass(frozen=True, slots=True)
class Pattern:
    """A named regex with its base score; a group named ``v`` marks the value inside the match."""

    name: str
    regex: str
    score: float


class PatternRecognizer:
    """Finds one entity type by regex, context and an optional checksum."""

    entity: ClassVar[str]
    placeholder: ClassVar[str]  # shown in Chinese text: [手机号]
    placeholder_en: ClassVar[str]  # shown in English text: [PHONE]
    patterns: ClassVar[tuple[Pattern, ...]]
    context: ClassVar[tuple[str, ...]] = ()
    negative_context: ClassVar[tuple[str, ...]] = ()
    context_window: ClassVar[int] = 16
    context_boost: ClassVar[float] = 0.35
    min_score: ClassVar[float] = 0.5
    # A cheap regex that must occur somewhere for any pattern to match (None: always run).
    trigger: ClassVar[str | None] = None
    # The fewest digits an accepted match holds: a text with fewer is not read at all.
    min_digits: ClassVar[int] = 0
    _trigger: ClassVar[re.Pattern[str] | None] = None
    # "digits": also read the view where separators between digit groups are gone.
    views: ClassVar[tuple[Literal["plain", "digits"], ...]] = ("plain",)
    _compiled: ClassVar[tuple[tuple[Pattern, re.Pattern[str]], ...]] = ()
    _any_context: ClassVar[re.Pattern[str]]
    _any_negative: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "patterns" in cls.__dict__:
            cls._compiled = tuple((p, re.compile(p.regex)) for p in cls.patterns)
        if "trigger" in cls.__dict__:
            cls._trigger = re.compile(cls.trigger) if cls.trigger else None
        # one search says whether any context word is near at all (most values have none)
        cls._any_context = _any_word(cls.context)
        cls._any_negative = _any_word(cls.negative_context)

    def validate(self, value: str) -> bool | None:
        """True: checksum holds (score 1.0); False: reject; None: no checksum for this type."""
        return None

    def plausible(self, value: str, raw: str, cue: str | None) -> bool:
        """False drops a match that passed `validate`. `value` is the normalised match, `raw` the
        user's text it came from, `cue` the positive context word nearest to it (if any)."""
        return True

    def triggered(self, text: str) -> bool:
        """Whether any pattern may match `text` (its trigger occurs, or there is none)."""
        return self._trigger is None or self._trigger.search(text) is not None

    def analyze(self, norm: Normalized) -> list[PiiEntity]:
        """All matches in the normalised text, with offsets into the original text."""
        if digit_count(norm.text) < self.min_digits or not self.triggered(norm.text):
            return []
        return self.find(norm)

    def find(self, norm: Normalized) -> list[PiiEntity]:
        """`analyze` for a text whose trigger is known to occur."""
        found: list[PiiEntity] = []
        for pattern, regex in self._compiled:
            value_group = "v" in regex.groupindex
            for match in regex.finditer(norm.text):
                entity = self.judge(norm, pattern, *match.span("v" if value_group else 0))
                if entity is not None:
                    found.append(entity)
        return found

    def judge(self, norm: Normalized, pattern: Pattern, start: int, end: int) -> PiiEntity | None:
        """The entity for a match of `pattern` whose value is norm.text[start:end], or None when
        the checksum, the context, the score or `plausible` rejects it."""
        text = norm.text
        value = text[start:end]
        valid = self.validate(value)
        if valid is False:
            return None
        hit, negative = self._cue(text[max(0, start - self.context_window) : start].lower())
        if negative:
            return None
        score, reason = pattern.score, f"pattern {pattern.name}"
        if valid:
            score, reason = 1.0, f"{reason}; checksum ok"
        if hit is not None:
            score, reason = min(1.0, score + self.context_boost), f"{reason}; context «{hit}»"
        if score < self.min_score:
            return None
        o_start, o_end = norm.to_original(start, end)
        raw = norm.original[o_start:o_end]
        if not self.plausible(value, raw, hit):
            return None
        return PiiEntity(
            type=self.entity,
            start=o_start,
            end=o_end,
            text=raw,
            score=round(score, 2),
            reason=reason,
        )

    def _cue(self, before: str) -> tuple[str | None, bool]:
        """The context word nearest the value: (positive word or None, whether a negative word
        is nearer). 快递…电话138… is a phone: 电话 is nearer than 快递. A negative word that
        overlaps the positive one (订单号码) wins."""
        positive: tuple[int, str] | None = None
        negative = -1
        if self._any_context.search(before) is not None:
            positive = max((before.rfind(w) + len(w), w) for w in self.context if w in before)
        if self._any_negative.search(before) is not None:
            negative = max(before.rfind(w) + len(w) for w in self.negative_context if w in before)
        if positive is None:
            return None, negative >= 0
        end, word = positive
        return (None, True) if negative > end - len(word) else (word, False)


# Reading several patterns in one pass. A pattern written first character, then a look-behind
# that refuses a digit before it (``[1-9](?<![0-9].)…``) can only start where a digit run starts.
_FIRST_ATOM = re.compile(r"\[(?:\\.|[^\]\\])+\]|\\.|[^\\(\[]")
_NO_DIGIT_BEFORE = re.compile(r"\(\?<!\[[^\]]*0-9[^\]]*\]\.\)")
_GROUP_NAME = re.compile(r"\(\?P([<=])(\w+)")  # (?P<name>…) and (?P=name)


def opens_after_non_digit(regex: str) -> bool:
    """Whether `regex` opens with one character (class) and then refuses a digit before it, so
    that `PatternSet` may read it together with others."""
    first = _FIRST_ATOM.match(regex)
    return first is not None and _NO_DIGIT_BEFORE.match(regex, first.end()) is not None


class PatternSet:
    """Several patterns (each `opens_after_non_digit`) read in one regex pass: the regex stops
    only at a character some pattern opens with that follows no digit, tries every pattern there
    inside a look-ahead and succeeds when one matched. Each pattern's matches are the ones its own
    `finditer` gives (leftmost first, none overlapping the previous one), at a fraction of the
    cost of one pass per pattern, which mostly goes into scanning the text again."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        firsts: list[str] = []
        parts: list[str] = []
        for index, pattern in enumerate(patterns):
            first = _FIRST_ATOM.match(pattern.regex)
            if first is None or not opens_after_non_digit(pattern.regex):
                raise ValueError(f"pattern {pattern.name} does not open after a non-digit")
            if re.compile(pattern.regex).groups != len(re.compile(pattern.regex).groupindex):
                raise ValueError(f"pattern {pattern.name} has an unnamed group")
            atom = first.group()
            rest = _GROUP_NAME.sub(rf"(?P\1p{index}_\2", pattern.regex[first.end() :])
            firsts.append(atom[1:-1] if atom.startswith("[") else atom)
            parts.append(f"(?:(?<={atom})(?=(?P<p{index}>{rest})))?")
        # succeed only where some pattern matched: (?(p0)|(?(p1)|…(?!)))
        some = "".join(f"(?(p{index})|" for index in range(len(patterns))) + "(?!)"
        self._regex = re.compile(
            f"[{''.join(firsts)}](?<![0-9].)" + "".join(parts) + some + ")" * len(patterns)
        )
        groups = self._regex.groupindex
        self._groups = [
            (index, groups[f"p{index}"], groups.get(f"p{index}_v", 0))
            for index in range(len(patterns))
        ]

    def find(self, text: str) -> list[tuple[int, int, int, int]]:
        """(pattern index, match start, value start, value end) of every match, ordered by
        pattern, then start: the order of one `finditer` per pattern."""
        found: list[tuple[int, int, int, int]] = []
        ends = [0] * len(self._groups)  # where each pattern's previous match ended
        for match in self._regex.finditer(text):
            spans = match.regs
            start = spans[0][0]
            for index, group, value in self._groups:
                end = spans[group][1]
                if end < 0 or start < ends[index]:
                    continue
                ends[index] = end
                value_start, value_end = spans[value] if value else (start, end)
                found.append((index, start, value_start, value_end))
        found.sort()
        return found


def _any_word(words: tuple[str, ...]) -> re.Pattern[str]:
    """A regex finding any of `words` (one that never matches for none)."""
    return re.compile("|".join(map(re.escape, words)) if words else "(?!)")


def digit_count(text: str) -> int:
    """How many ASCII digits `text` holds."""
    return len(_ALL_BUT_DIGITS.sub("", text))


def digits_of(value: str) -> str:
    """Only the digits (and a trailing X of an ID) of a matched value (normalised text, whose
    digits are ASCII)."""
    return _NOT_DIGIT.sub("", value).upper()


_NOT_DIGIT = re.compile(r"[^0-9Xx]+")
_ALL_BUT_DIGITS = re.compile(r"[^0-9]+")
# Luhn doubles every second digit from the right and adds the digits of the product.
_LUHN_DOUBLED = {str(d): 2 * d - 9 if d > 4 else 2 * d for d in range(10)}


def luhn_digit(body: str) -> str:
    """The Luhn (mod 10) check digit that completes `body`, as payment cards end in."""
    total = sum(map(_LUHN_DOUBLED.__getitem__, body[::-2])) + sum(map(int, body[-2::-2]))
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    """Luhn (mod 10) check used by payment cards."""
    return number[-1:] == luhn_digit(number[:-1])


def gs1_digit(body: str) -> str:
    """The GS1 mod-10 check digit that completes `body`: weights 3,1,3,… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gs1_ok(number: str) -> bool:
    """GS1 mod-10 check digit of EAN-8/UPC-A/EAN-13/GTIN-14."""
    return number[-1:] == gs1_digit(number[:-1])
