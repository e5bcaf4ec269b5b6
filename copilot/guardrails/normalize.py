"""One text normalisation layer for every guardrail rule, with offsets back to the original.

Usage::

    from copilot.guardrails.normalize import normalize

    norm = normalize(text)                 # canonical view: match keywords, numbers, claims
    for m in PATTERN.finditer(norm.text):
        start, end = norm.to_original(m.start(), m.end())   # span in the caller's `text`
        snippet = norm.original[start:end]

    digits = norm.join_digits()            # PII view: separators inside digit runs removed
    custom = norm.sub(re.compile(r"艾特"), "@")   # a rule's own rewrite; offsets still map back

`normalize(text)` applies, in order, each step keeping the map to the original offsets:

1. NFKC per character; format characters (category Cf: U+200B/C/D, U+2060, U+FEFF, U+180E, bidi
   controls, soft hyphen, tags), variation selectors, the keycap mark and Hangul fillers are
   removed; every digit of any script (full-width, circled ①, dingbat ❶, keycap 1️⃣, 🔟,
   mathematical 𝟏, Arabic-Indic) becomes an ASCII digit; the heavy plus sign ➕ becomes +.
2. Traditional → Simplified Chinese (OpenCC ``t2s``), character for character.
3. Chinese numerals → digits where they form a number or a digit sequence: 一三八 / 幺三八 → 138,
   1三8 → 138, 九十九 → 99, 一百零五 → 105, 两万五 → 25000, 二〇二六 → 2026, 九块九 → 9.9元.
   A numeral standing alone (一张, 十分, 万一, 千万) stays a word.

`join_digits()` further drops separators between digit groups (space, dot, slash, dash, comma,
line break, one or two emoji or other symbols …, and announcements such as "后八位" or "中间"),
so 138.1234.5678, "1 3 8 …", 138/1234/5678, 138🔸1234🔸5678 and a number split over two lines
read as one run. A group of 9+ digits is never joined to the
next, so two whole numbers stay apart.

Word lists matched against `text` must go through `normalize` too: 双十一 reads 双11, 電話
reads 电话. Every step is linear in the text length (no nested unbounded regex repeats).
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path

import opencc

from copilot.once import once

Edit = tuple[int, int, str]  # replace text[start:end] with the string


class Normalized:
    """`text` derived from `original`; each output character came from a span of `original`.

    `source` is the view this one derives from by applying `edits` (None: offsets as in
    `source`); without a source, `text` is `original` character for character. Offsets are
    mapped back only when asked for, one point at a time down the chain of views: most views
    are read and dropped without one.
    A view is never changed once made (a plain slotted class: scanning makes several per text,
    and a frozen dataclass costs several times as much to create).
    """

    __slots__ = ("_at", "edits", "original", "source", "text")

    def __init__(
        self,
        text: str,
        original: str,
        source: Normalized | None = None,
        edits: tuple[Edit, ...] | None = None,
    ) -> None:
        self.text = text
        self.original = original
        self.source = source
        self.edits = edits
        self._at: list[int] | None = None  # where each edit's new text starts in `text`

    def __repr__(self) -> str:
        return f"Normalized(text={self.text!r}, original={self.original!r})"

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the span [start, end) of `text`."""
        if self.source is None:
            return start, end
        if start >= end:
            point = self._start(start) if start < len(self.text) else len(self.original)
            return point, point
        return self._start(start), self._end(end - 1)

    span = to_original  # the name the rules used before; same function

    def sub(
        self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str | None]
    ) -> Normalized:
        """A further rewrite of `text` (like ``pattern.sub``; a callable may return None to keep
        the match as it is), with offsets still mapped to `original`."""
        edits: list[Edit] = []
        for match in pattern.finditer(self.text):
            new = repl if isinstance(repl, str) else repl(match)
            if new is not None and new != match.group():
                edits.append((match.start(), match.end(), new))
        return self._apply(edits)

    def join_digits(self) -> Normalized:
        """The PII view: separators and announcements between digit groups removed. A group
        continues the number before it across 1-3 separators (both groups of at most
        _MAX_JOINED_GROUP digits, and not a 1-2 digit quantity after an 11+ digit number) or
        across an announcement (后八位); a number keeps one kind of separator, so 169.1507.6724，200
        is two numbers."""
        text = self.text
        if _JOIN_HINT.search(text) is None:  # no two digit groups that could join
            return self
        kinds = _separator_kinds()
        edits: list[Edit] = []
        pieces = _DIGIT_GROUPS.split(text)  # text before the first group, group, gap, group …
        position = 0  # where the gap before the group starts (the previous group's end)
        before = ""  # the previous group ("" before the first)
        run = 0  # digits joined so far
        run_kind: frozenset[str] | None = None  # the separator the run uses, None before its first
        for index in range(1, len(pieces), 2):
            gap, group = pieces[index - 1], pieces[index]
            start = position + len(gap)
            kind = _gap_kind(gap, kinds) if before else None
            if not before or not _continues(before, group, gap, kind, run):
                run, run_kind = len(group), None
            else:
                if kind is not None and run_kind is not None and kind != run_kind:
                    run, run_kind = len(group), None  # another separator: another number
                else:
                    edits.append((position, start, ""))
                    run += len(group)
                    run_kind = run_kind or kind
            position = start + len(group)
            before = group
        return self._apply(edits)

    def _apply(self, edits: Iterable[Edit]) -> Normalized:
        """`text` with the sorted, non-overlapping edits applied. A same-length replacement maps
        character by character; any other maps each new character to the whole replaced span;
        a deletion right after a kept character widens that character's span."""
        edits = tuple(edits)
        if not edits:
            return self
        pieces: list[str] = []
        position = 0
        for start, end, new in edits:
            pieces += (self.text[position:start], new)
            position = end
        pieces.append(self.text[position:])
        text = "".join(pieces)
        if all(len(new) == end - start for start, end, new in edits):  # the map stays as it is
            return Normalized(text, self.original, None if self.source is None else self)
        return Normalized(text, self.original, self, edits)

    # Offsets are mapped one character at a time down the chain of views (a scan asks for a
    # few): a character inside a same-length edit maps to the source character at the same
    # place, one inside any other edit to the whole replaced span; a character outside every
    # edit is shifted by the edits before it.
    def _start(self, index: int) -> int:
        """Original offset where character `index` of `text` starts."""
        source = self.source
        if source is None:
            return index
        if self.edits is None:
            return source._start(index)
        at = self._edit_starts()
        k = bisect_right(at, index) - 1
        if k < 0:
            return source._start(index)
        start, end, new = self.edits[k]
        offset = index - at[k]
        if offset >= len(new):
            return source._start(end + offset - len(new))
        if len(new) == end - start:
            return source._start(start + offset)
        return source.to_original(start, end)[0]

    def _end(self, index: int) -> int:
        """Original offset where character `index` of `text` ends. A run deleted right after the
        character (1️⃣'s keycap mark) belongs to it."""
        source = self.source
        if source is None:
            return index + 1
        edits = self.edits
        if edits is None:
            return source._end(index)
        at = self._edit_starts()
        k = bisect_right(at, index) - 1
        if k < 0:
            last = source._end(index)
        else:
            start, end, new = edits[k]
            offset = index - at[k]
            if offset >= len(new):
                last = source._end(end + offset - len(new))
            elif len(new) == end - start:
                last = source._end(start + offset)
            else:
                last = source.to_original(start, end)[1]
        for start, end, new in edits[bisect_left(at, index + 1) : bisect_right(at, index + 1)]:
            if not new and end > start and last == source._start(start):
                last = source._end(end - 1)
        return last

    def _edit_starts(self) -> list[int]:
        if self._at is None:
            at: list[int] = []
            shift = 0
            for start, end, new in self.edits or ():
                at.append(start + shift)
                shift += len(new) - (end - start)
            self._at = at
        return self._at


def normalize(text: str) -> Normalized:
    """The canonical view of `text` (see the module docstring). Several rules read the same
    draft, so views of texts up to a few pages long are memoised."""
    return _normalize_cached(text) if len(text) <= _CACHE_MAX_CHARS else _normalize(text)


_CACHE_MAX_CHARS = 8_000


@lru_cache(maxsize=256)
def _normalize_cached(text: str) -> Normalized:
    return _normalize(text)


def _normalize(text: str) -> Normalized:
    norm = Normalized(text, text)
    if text.isascii():
        return norm
    norm = _to_simplified(_fold(norm))
    return norm._apply(_numeral_edits(norm.text))


# ---------------------------------------------------------------- step 1: characters
# Runs that may change under folding: anything but ASCII and the common CJK ideographs.
_SPECIAL = re.compile(r"([^\x00-\x7f\u4e00-\u9fff]+)")  # split keeps the runs
_DROP = frozenset(
    [chr(c) for c in range(0xFE00, 0xFE10)]  # variation selectors (emoji/text presentation)
    + [chr(c) for c in range(0xE0100, 0xE01F0)]  # variation selectors supplement
    + ["\u20e3", "\u034f", "\u115f", "\u1160", "\u3164", "\uffa0"]  # keycap mark, CGJ, fillers
)
_EXTRA = {"\U0001f51f": "10", "\u2795": "+"}  # keycap ten; heavy plus sign (➕V = 加V)


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in _DROP or unicodedata.category(char) == "Cf":
        return ""
    if char in _EXTRA:
        return _EXTRA[char]
    if unicodedata.category(char) in ("Nd", "No"):
        value = unicodedata.numeric(char, -1.0)
        if value >= 0 and value == int(value):
            return str(int(value))
    return unicodedata.normalize("NFKC", char)


def _fold(norm: Normalized) -> Normalized:
    """Step 1 over the whole text: each run of special characters is folded as a whole (cached:
    the same punctuation and emoji recur); only characters that fold to none or several need an
    edit in the map, the others keep their offsets."""
    pieces = _SPECIAL.split(norm.text)  # plain text, special run, plain text, …
    edits: list[Edit] = []
    position = 0
    for index in range(1, len(pieces), 2):
        position += len(pieces[index - 1])
        run = pieces[index]
        pieces[index], uneven = _fold_run(run)
        if uneven:
            edits.extend((position + first, position + last, new) for first, last, new in uneven)
        position += len(run)
    text = "".join(pieces)
    if not edits:
        return norm if text == norm.text else Normalized(text, norm.original)
    return Normalized(text, norm.original, norm, tuple(edits))


@lru_cache(maxsize=8192)
def _fold_run(chars: str) -> tuple[str, tuple[Edit, ...]]:
    """The folded run (，。 → ,。) and, when some character folds to none or several (the
    keycap mark, a zero-width space, 🔟), the edits of those characters, relative to the run."""
    folded = [_fold_char(char) for char in chars]
    uneven = tuple((index, index + 1, new) for index, new in enumerate(folded) if len(new) != 1)
    return "".join(folded), uneven


# ---------------------------------------------------------------- step 2: script
@once
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8192)
def _t2s_char(char: str) -> str:
    converted = _t2s().convert(char)
    return converted if len(converted) == 1 else char


@once  # reads OpenCC's dictionaries with a subprocess: never twice at once
def _t2s_trigger() -> re.Pattern[str] | None:
    """A regex finding a character without which t2s leaves a text as it is (OpenCC converts
    only where an entry's key occurs): the key of every character entry that changes; for every
    phrase entry that changes but holds none of those, one of its characters; and any character
    beyond the BMP. None (convert every text) when the dictionaries cannot be read."""
    entries = _t2s_entries()
    if entries is None:
        return None
    changing = [key for key, _, values in (e.partition("\t") for e in entries)
                if values.split(" ")[0] != key]  # fmt: skip
    chars = {key for key in changing if len(key) == 1}
    phrases = [key for key in changing if not chars.intersection(key)]
    while phrases:  # add the character most of the uncovered phrases hold
        chars.add(Counter(char for key in phrases for char in set(key)).most_common(1)[0][0])
        phrases = [key for key in phrases if not chars.intersection(key)]
    # Characters beyond the BMP are left to OpenCC: with them in the class, the regex engine
    # would test each character against a list instead of a bitmap (a hundred times slower).
    bmp = "".join(sorted(re.escape(char) for char in chars if ord(char) <= 0xFFFF))
    return re.compile(f"[{bmp}\U00010000-\U0010ffff]")


def _t2s_entries() -> list[str] | None:
    """The "key<TAB>values" lines of every dictionary t2s uses, read from the installed OpenCC
    with the dictionary tool it ships; None when that fails."""
    config = Path(_t2s().config)
    tool = config.parents[2] / "bin" / "opencc_dict"
    entries: list[str] = []
    try:
        names = sorted(set(_dict_files(json.loads(config.read_text(encoding="utf-8")))))
        with tempfile.TemporaryDirectory() as tmp:
            for name in names:
                out = Path(tmp) / f"{name}.txt"
                subprocess.run(
                    [tool, "-i", config.parent / name, "-o", out, "-f", "ocd2", "-t", "text"],
                    check=True,
                    capture_output=True,
                    timeout=60,
                )
                entries += out.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return entries


def _dict_files(node: object) -> Iterator[str]:
    """The dictionary files an OpenCC configuration names, at any depth."""
    if isinstance(node, dict):
        if node.get("type") == "ocd2":
            yield str(node["file"])
        for value in node.values():
            yield from _dict_files(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dict_files(value)


def _to_simplified(norm: Normalized) -> Normalized:
    trigger = _t2s_trigger()
    if trigger is not None and trigger.search(norm.text) is None:
        return norm
    converted = _t2s().convert(norm.text)
    if len(converted) != len(norm.text):  # a phrase rule changed the length: go char by char
        converted = "".join(_t2s_char(char) for char in norm.text)
    if converted == norm.text:
        return norm
    return Normalized(converted, norm.original, norm)


# ---------------------------------------------------------------- step 3: Chinese numerals
# 參, the traditional financial 3, simplifies to 参.
_CN_DIGITS = {
    **dict.fromkeys("零〇", 0), **dict.fromkeys("一壹幺", 1), **dict.fromkeys("二贰两", 2),
    "三": 3, "叁": 3, "参": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7,
    "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10_000}
_CN_UNIT = re.compile(f"[{''.join(_CN_UNITS)}]")
_TO_ASCII_DIGITS = str.maketrans({char: str(value) for char, value in _CN_DIGITS.items()})
_DELETE_DIGITS = str.maketrans("", "", "0123456789")
_ASCII_DIGIT = re.compile("[0-9]")
_NUM_CHARS = "0-9" + "".join(_CN_DIGITS) + "".join(_CN_UNITS)
_SEP_IN_RUN = r"[ \t.\-/_·•\n\r]"  # no comma: "5，一位" is two clauses
# A price 九块九 (up to 6 numeral characters, 块, one digit), or a run of two or more numeral
# characters, separators allowed inside: a lone numeral never changes (一个, 十分). The first
# character is matched first so the scan skips text without numerals quickly.
_NUMERAL = re.compile(
    rf"[{_NUM_CHARS}](?:(?<![{_NUM_CHARS}].)(?P<yuan>[{_NUM_CHARS}]{{0,5}})块"
    rf"(?P<jiao>[0-9{''.join(_CN_DIGITS)}])[毛角]?(?![{_NUM_CHARS}])"
    rf"|(?:[{_NUM_CHARS}]|{_SEP_IN_RUN}{{1,2}}[{_NUM_CHARS}])[{_NUM_CHARS}]*"
    rf"(?:{_SEP_IN_RUN}{{1,2}}[{_NUM_CHARS}]+)*)"
)
_SPLIT_SEP = re.compile(rf"({_SEP_IN_RUN}+)")
_MIN_SEQUENCE = 3  # 一三八 is a digit sequence; 七八 (乱七八糟) and 三五 (三五天) stay words
# Numerals right before 折, a lone 成 or 成新 state a share (八折, 九五折, 七成, 八成新), never more
# digits of the number before them: ¥199八折 is 199 at 80 %, not 1998. Two numerals when a digit
# or separator precedes them (199九五折), one after a Chinese number (九十九八折: 99 at 80 %).
_CN_DIGIT_CHARS = "".join(_CN_DIGITS)
_DISCOUNT_TAIL = re.compile(
    rf"(?<=[^{_CN_DIGIT_CHARS}{''.join(_CN_UNITS)}])[{_CN_DIGIT_CHARS}]{{1,2}}$|(?<=.)[{_CN_DIGIT_CHARS}]$"
)
_DISCOUNT_WORD = re.compile(r"折|成新|成(?![\u4e00-\u9fff])")


def _numeral_edits(text: str) -> list[Edit]:
    edits: list[Edit] = []
    for match in _NUMERAL.finditer(text):
        run = match.group()
        if run.isascii():
            continue
        if match.group("jiao") is not None:
            yuan = _number(text[match.start() : match.end("yuan")])
            if yuan is not None:
                edits.append(
                    (match.start(), match.end(), f"{yuan}.{_digit(match.group('jiao'))}元")
                )
            continue
        if _DISCOUNT_WORD.match(text, match.end()) and (tail := _DISCOUNT_TAIL.search(run)):
            run = run[: tail.start()]  # the discount stays a word, as it would standing alone
        if _CN_UNIT.search(run) is None:
            _sequence_edit(run, match.start(), edits)
        else:
            _run_edits(run, match.start(), edits)
    return edits


def _run_edits(run: str, offset: int, edits: list[Edit]) -> None:
    """The edits of a run holding a unit (十/百/千/万): each piece between separators is a
    number (九十九 → 99) or a digit sequence."""
    position = offset
    for piece in _SPLIT_SEP.split(run):
        if not piece or _SPLIT_SEP.fullmatch(piece):
            pass
        elif _CN_UNIT.search(piece) is None:
            _sequence_edit(piece, position, edits)
        elif not piece.isascii() and (value := _number(piece)) is not None:
            edits.append((position, position + len(piece), str(value)))
        position += len(piece)


def _sequence_edit(run: str, offset: int, edits: list[Edit]) -> None:
    """Chinese digits in a digit sequence (一三八, 1三8, "一 三 八") become ASCII digits: three or
    more digits in all, or any Chinese digit beside an ASCII one."""
    ascii_digits = run.translate(_TO_ASCII_DIGITS)  # C-level: no loop over characters
    if ascii_digits == run:
        return
    if _ASCII_DIGIT.search(run) is not None or _digits_in(ascii_digits) >= _MIN_SEQUENCE:
        edits.append((offset, offset + len(run), ascii_digits))


def _digits_in(text: str) -> int:
    return len(text) - len(text.translate(_DELETE_DIGITS))


def _digit(char: str) -> str:
    return str(_CN_DIGITS[char]) if char in _CN_DIGITS else char


def _number(token: str) -> int | None:
    """'九' → 9, '138' → 138, '1三8' → 138, '九十九' → 99, '两万五' → 25000; None when the
    token is no number (一五一十, 万一, a lone 十)."""
    if _CN_UNIT.search(token) is None:
        return int(token.translate(_TO_ASCII_DIGITS))
    if len(token) < 2 or (token[0] not in "十拾" and token[0] not in _CN_DIGITS):
        return None
    if any(char not in _CN_DIGITS and char not in _CN_UNITS for char in token):
        return None  # 十4, 三千4: ASCII digits beside units are left as written
    total = section = 0
    pending: int | None = None  # the digit not yet multiplied by a unit
    pending_after = 0  # the unit right before that digit (两万五: 万 → the 五 means 5000)
    last_unit = 0  # the last unit below 万 in this section
    previous_unit = 0  # the unit just read (0 after a digit)
    for char in token:
        if char in _CN_DIGITS:
            if pending:  # two digits in a row (一五一十) is no positional number
                return None
            pending, pending_after, previous_unit = _CN_DIGITS[char], previous_unit, 0
        elif char == "万":
            if total or (section == 0 and not pending):
                return None
            total = (section + (pending or 0)) * 10_000
            section, pending, last_unit, previous_unit = 0, None, 0, 10_000
        else:
            unit = _CN_UNITS[char]
            if (last_unit and last_unit <= unit) or (unit > 10 and not pending):
                return None
            section += (1 if pending is None else pending) * unit
            pending, last_unit, previous_unit = None, unit, unit
    if pending:
        section += pending * (pending_after // 10 if pending_after >= 100 else 1)
    return total + section


# ---------------------------------------------------------------- join_digits
# Digit groups; an ID's check character X may end one, or stand alone after 17 digits.
# Written first character first, so the engine skips to a digit or X (several times faster); the
# capturing group makes `split` return the groups between the gaps.
_DIGIT_GROUPS = re.compile(
    r"([0-9Xx](?:(?<=[0-9])[0-9]*(?:[Xx](?![A-Za-z0-9]))?|(?<=[Xx])(?<![A-Za-z].)(?![A-Za-z0-9])))"
)
_MAX_JOINED_GROUP = 8  # an 11-digit mobile is never glued to the quantity after it
_MAX_GAP = 12


def _continues(before: str, group: str, gap: str, kind: frozenset[str] | None, run: int) -> bool:
    """Whether digit `group` continues the number that ends with group `before` across `gap`
    (a separator made of `kind`, or None for words; `run` digits so far)."""
    if before[-1] in "Xx" or (group[0] in "Xx" and run != 17):
        return False  # an ID's check character ends it; a lone X follows 17 digits only
    if kind is not None:
        # 1-2 digits after a grouped run of 11+ (138 1234 5678 2件) are a quantity, not more
        # of the number; a number written one digit at a time goes on.
        tail = run >= 11 and len(group) <= 2 and len(before) > 1
        return len(before) <= _MAX_JOINED_GROUP and len(group) <= _MAX_JOINED_GROUP and not tail
    # an announced second part (前三位138 后八位12345678) may be long
    return len(gap) <= _MAX_GAP and _ANNOUNCED.fullmatch(gap) is not None


_SEP_CHARS = " \t\n\r.-/_·•,、|~\\—–"


@cache
def _separator_kinds() -> dict[str, frozenset[str]]:
    """Every separator of 1-3 characters, with what it is made of (any whitespace alike: "\r\n"
    ~ "\n" ~ " "). A dictionary lookup instead of a regex match per digit group."""
    gaps = [""]
    kinds: dict[str, frozenset[str]] = {}
    for _ in range(3):
        gaps = [gap + char for gap in gaps for char in _SEP_CHARS]
        kinds.update((gap, frozenset(" " if c.isspace() else c for c in gap)) for gap in gaps)
    return kinds


# Emoji and other symbols written between digit groups (138🔸2233🔸4455, 138★1234★5678): arrows,
# dingbats, geometric shapes, miscellaneous symbols and pictographs. Digits of these blocks
# (①, ❶) are digits by now.
_SYMBOLS = "\u2190-\u2bff\U0001f300-\U0001faff"
_SYMBOL_GAP = re.compile(f"[{_SYMBOLS}]{{1,2}}")


def _gap_kind(gap: str, kinds: dict[str, frozenset[str]]) -> frozenset[str] | None:
    """What separator `gap` is made of, or None when it is no separator (a word, an
    announcement): one of the table's, or one or two symbols."""
    kind = kinds.get(gap)
    if kind is None and _SYMBOL_GAP.fullmatch(gap) is not None:
        return frozenset(gap)
    return kind


_SEP = f"[{re.escape(_SEP_CHARS)}]"
_ANNOUNCED = re.compile(
    rf"{_SEP}{{0,2}}(?:后面|后|剩下的|剩下|然后|接着|再|中间|最后|末尾)"
    rf"(?:[0-9一二三四五六七八九十]{{1,2}}位)?"
    rf"(?:是|为)?[:：]?{_SEP}{{0,2}}"
)
# Where a join may happen: a digit (or check character) before separators and another digit, or
# before an announcement word. Texts without one keep their digit groups as they are.
_JOIN_HINT = re.compile(
    rf"[0-9Xx](?:{_SEP}{{1,3}}[0-9Xx]|[{_SYMBOLS}]{{1,2}}[0-9Xx]|{_SEP}{{0,2}}(?:后|剩下|然后|接着|再|中间|最后|末尾))"
)
