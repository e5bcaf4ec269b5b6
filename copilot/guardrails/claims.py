"""Checkable claims in text: prices, discounts, percentages, quantities, dates, coupon values.

Each claim has a canonical key so that ¥199 = 199元 = 一百九十九元 and 8折 = 八折 = 80% compare
equal; the `grounding` rule looks the draft's keys up in the evidence's.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from copilot.guardrails.normalize import normalize

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
# A number: 1,299 / 199.9 / 一百九十九 / 八五. Digits start and end a digit run (never the tail
# of a longer number), which also keeps long digit runs linear. Each alternative opens with the
# character it needs and only then looks behind it, so the engine skips other text quickly.
NUM = (
    r"(?:\d(?<![\d.].)(?<!\d,.)(?:\d{0,2}(?:,\d{3})+|\d{0,8}(?:\.\d{1,4})?)(?![\d])"
    r"|[零〇一二两三四五六七八九十百千万]{1,12})"
)
_UNITS = {"g": ("g", 1), "克": ("g", 1), "kg": ("g", 1000), "千克": ("g", 1000),
          "公斤": ("g", 1000), "斤": ("g", 500), "ml": ("ml", 1), "毫升": ("ml", 1),
          "l": ("ml", 1000), "升": ("ml", 1000)}  # fmt: skip
_COUNT_UNITS = "罐|瓶|盒|件|包|袋|片|支|套|份|粒|张|天|小时|个月|周|期|次|人"
# "一" + a time/frequency unit after an ordinal or determiner is everyday speech, not a quantity:
# 忙碌的一天结束, 每一天, 第一次, 这一周, 有一天. It stays a claim when a term follows, because
# then it is a promise the evidence must state: 的一天内发货, 第一次后见效, 每一周起送.
_IDIOM_UNITS = frozenset({"天", "周"})
_IDIOM_BEFORE = frozenset("第每这那的同哪某有")
# "一" + a classifier is an article (送上一张8折券, 一份心意, 第一次用), never a count to ground,
# unless a term follows (一次就见效). (一个/一位 never count: 个 and 位 are no count units.)
_ARTICLE_UNITS = frozenset({"张", "份", "次"})
_TERM_AFTER = re.compile(
    r"\s?(?:之?内|以内|后|起|即|就|见效|到货|到账|发货|送达|无理由|包|质保|保修)"
)

# (kind, regex) in priority order: earlier kinds win overlapping spans of equal length.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx, re.IGNORECASE))
    for kind, rx in (
        ("full_reduce", rf"满\s?(?P<a>{NUM})\s?元?\s?[减-]\s?(?P<b>{NUM})\s?元?"),
        ("off", r"(?P<a>\d{1,2}(?:\.\d)?)\s?%\s?off|[减省]\s?(?P<b>\d{1,2}(?:\.\d)?)\s?%"),
        (
            "date",
            rf"(?:(?P<y>\d{{4}})\s?[年/.-]\s?)?(?P<m>{NUM})\s?月\s?(?P<d>{NUM})\s?[日号]?"
            r"|(?<![\d.])(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})(?![\d])"
            r"|(?<![\d.¥￥$])(?P<m3>1[0-2]|0?[1-9])[./](?P<d3>3[01]|[12]\d|0?[1-9])"
            r"(?![\d.%]|\s?(?:元|块|折|g|kg|ml))",
        ),
        (
            "money",
            rf"[¥￥]\s?(?P<a>{NUM})|(?P<b>{NUM})\s?(?:元|块钱|块|RMB)|RMB\s?(?P<c>{NUM})"
            rf"|(?:立减|直降|减|返|省)\s?(?P<d>{NUM})(?!\s?%)",  # 立减15% is a share
        ),
        ("discount", rf"(?P<a>{NUM})\s?折"),
        ("pct", rf"(?P<a>{NUM})\s?%|百分之(?P<b>{NUM})"),
        (
            "qty",
            rf"(?P<a>{NUM})\s?(?P<u>kg|g|ml|l|千克|公斤|克|斤|毫升|升|{_COUNT_UNITS})"
            r"(?![A-Za-z])",
        ),
    )
)
_PRIORITY = {kind: index for index, (kind, _) in enumerate(_PATTERNS)}


@dataclass(frozen=True, slots=True)
class Claim:
    kind: str
    start: int
    end: int
    text: str
    keys: frozenset[tuple[object, ...]]


def to_number(token: str) -> float:
    """'1,299' → 1299, '一百九十九' → 199, '八五' → 85, '十二' → 12."""
    token = token.replace(",", "")
    if token[0].isdigit():
        return float(token)
    if not any(ch in _CN_UNIT or ch == "万" for ch in token):
        return float("".join(str(_CN_DIGIT[ch]) for ch in token))
    total = section = digit = 0
    for ch in token:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            section += (digit or 1) * _CN_UNIT[ch]
            digit = 0
        else:  # 万
            total += (section + digit) * 10000
            section = digit = 0
    return float(total + section + digit)


def _discount_pct(token: str) -> float:
    """Share paid for N折: 8 → 80, 8.5 → 85, 10 → 100 (no discount), 85 → 85, 八五 → 85."""
    value = to_number(token)
    return value * 10 if value <= 10 else value


def _keys(kind: str, g: dict[str, str | None]) -> set[tuple[object, ...]]:
    def num(*names: str) -> float:
        return to_number(next(g[n] for n in names if g.get(n)))  # type: ignore[arg-type]

    if kind == "full_reduce":
        a, b = num("a"), num("b")
        return {("full_reduce", a, b), ("money", a), ("money", b)}
    if kind == "off":
        off = num("a", "b")
        return {("pct", 100 - off), ("pct", off)}
    if kind == "date":
        month, day = num("m", "m2", "m3"), num("d", "d2", "d3")
        return {("date", month, day)} if 1 <= month <= 12 and 1 <= day <= 31 else set()
    if kind == "money":
        return {("money", num("a", "b", "c", "d"))}
    if kind == "discount":
        return {("pct", _discount_pct(g["a"] or "0"))}
    if kind == "pct":
        return {("pct", num("a", "b"))}
    unit = (g["u"] or "").lower()
    base, factor = _UNITS.get(unit, (unit, 1))
    return {("qty", num("a") * factor, base)}


def _idiomatic(text: str, kind: str, match: re.Match[str]) -> bool:
    """True for 一张/一份/一次 as an article and 一天/一周 as a phrase, which are no claims."""
    if kind != "qty" or match.group("a") != "一" or _TERM_AFTER.match(text, match.end()):
        return False
    unit = match.group("u")
    if unit in _ARTICLE_UNITS:
        return True
    before = text[match.start() - 1] if match.start() else ""
    return unit in _IDIOM_UNITS and before in _IDIOM_BEFORE


def extract_claims(text: str) -> list[Claim]:
    """Non-overlapping claims in reading order, spans in the caller's offsets."""
    norm = normalize(text)
    found: list[tuple[int, int, str, re.Match[str]]] = [
        (m.start(), m.end(), kind, m)
        for kind, rx in _PATTERNS
        for m in rx.finditer(norm.text)
        if m.group().strip() and not _idiomatic(norm.text, kind, m)
    ]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0]), _PRIORITY[f[2]]))
    claims: list[Claim] = []
    last_end = -1
    for start, end, kind, match in found:
        if start < last_end:
            continue
        keys = _keys(kind, match.groupdict())
        if not keys:
            continue
        o_start, o_end = norm.to_original(start, end)
        claims.append(Claim(kind, o_start, o_end, text[o_start:o_end], frozenset(keys)))
        last_end = end
    return claims


def supported_keys(texts: list[str]) -> set[tuple[object, ...]]:
    """Every claim key stated in the given texts."""
    return {key for text in texts for key in _stated_keys(text)}


@functools.lru_cache(maxsize=4096)
def _stated_keys(text: str) -> frozenset[tuple[object, ...]]:
    """The claim keys of one text (evidence passages recur: extracted once per process)."""
    return frozenset(key for claim in extract_claims(text) for key in claim.keys)
