"""Readings of a text that undo how an injection is disguised: look-alike letters, spacing,
pinyin, and base64/hex/\\u-escape payloads (decoded and read again, within bounds).

Each view is a plain string named after the disguise it undoes; the injection signals run over
every view. Traditional characters, full-width letters and invisible characters are handled by
the shared normalisation layer first (`copilot.guardrails.normalize`).
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from copilot.guardrails.datafiles import DataFile, load
from copilot.guardrails.normalize import normalize


class VariantData(DataFile):
    confusables: dict[str, str]
    pinyin: dict[str, str]
    max_payloads: int
    max_depth: int
    max_payload_chars: int


class Decoder:
    """Compiled look-alike map, pinyin lexicon and payload bounds."""

    def __init__(self, data: VariantData) -> None:
        self.data = data
        self.confusables = str.maketrans(data.confusables)
        self.look_alike = re.compile("[" + re.escape("".join(data.confusables)) + "]")
        words = sorted(data.pinyin.items(), key=lambda kv: len(kv[1]), reverse=True)
        # Syllables may be run together or split by spaces, hyphens or dots.
        alternatives = [r"[\s\-_.]*".join(map(re.escape, py.split())) for _, py in words]
        self.pinyin = re.compile(
            "(?<![a-z])(?:" + "|".join(f"({a})" for a in alternatives) + ")(?![a-z])"
        )
        self.hanzi = [zh for zh, _ in words]


@lru_cache(maxsize=1)
def decoder() -> Decoder:
    return Decoder(load("injection_variants.yaml", VariantData))


# Single characters separated by spaces, punctuation or emoji: "i g n o r e", "忽 略 以 上",
# "忽🙂略🙂你".
_SPACED_LATIN = re.compile(r"(?<![A-Za-z])(?:[A-Za-z][ .\-_*|]){3,}[A-Za-z](?![A-Za-z])")
_SPACED_CJK = re.compile(
    r"(?<=[\u4e00-\u9fff])(?:[ .\-_*|/\ufe0f\u200d]|[\u2190-\u21ff\u2300-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]){1,3}"
    r"(?=[\u4e00-\u9fff])"
)
_LATIN_RUN = re.compile(r"(?<![a-z])[a-z]+(?:[\s\-_.]+[a-z]+)+")
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}(?:[\s:]|\\x)?){8,}")
_ESCAPES = re.compile(r"(?:\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}){4,}")


def _despace(text: str) -> str:
    joined = _SPACED_LATIN.sub(lambda m: re.sub(r"[ .\-_*|]", "", m.group()), text)
    return _SPACED_CJK.sub("", joined)


def _toneless(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").replace("ü", "v")


def _from_pinyin(text: str, dec: Decoder) -> str:
    """Runs of pinyin words read back as Chinese; other text is left as it is."""

    def word(match: re.Match[str]) -> str:
        return dec.hanzi[(match.lastindex or 1) - 1]

    def run(match: re.Match[str]) -> str:
        converted = dec.pinyin.sub(word, match.group())
        hanzi = sum(1 for c in converted if "\u4e00" <= c <= "\u9fff")
        return converted.replace(" ", "") if hanzi >= 4 else match.group()

    toneless = _toneless(text)
    converted = _LATIN_RUN.sub(run, toneless)
    return text if converted == toneless else converted


def _printable(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    letters = sum(1 for c in text if c.isprintable() or c.isspace())
    has_word = re.search(r"[A-Za-z]{3}|[\u4e00-\u9fff]{2}", text)
    return text if text and has_word and letters >= 0.9 * len(text) else None


def _decode_one(token: str, kind: str) -> str | None:
    try:
        if kind == "base64":
            padded = token + "=" * (-len(token) % 4)
            raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        elif kind == "hex":
            raw = bytes.fromhex(re.sub(r"[\s:]|\\x", "", token))
        else:
            raw = token.encode("ascii").decode("unicode_escape").encode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        return None
    return _printable(raw)


def payloads(text: str, dec: Decoder, depth: int = 0) -> Iterator[str]:
    """Decoded base64/hex/escape payloads of `text`, and theirs in turn, within the bounds."""
    if depth >= dec.data.max_depth:
        return
    found = 0
    for kind, rx in (("base64", _BASE64), ("hex", _HEX), ("escape", _ESCAPES)):
        for match in rx.finditer(text):
            if found >= dec.data.max_payloads:
                return
            token = match.group()[: dec.data.max_payload_chars]
            decoded = _decode_one(token, kind)
            if decoded is None:
                continue
            found += 1
            yield decoded
            yield from payloads(decoded, dec, depth + 1)


def views(text: str) -> dict[str, str]:
    """Name → reading of `text` for each disguise that changes it (always with `normalized`)."""
    dec = decoder()
    norm = normalize(text).text
    readings = {"normalized": norm}
    if dec.look_alike.search(norm):
        readings["homoglyph"] = norm.translate(dec.confusables)
    base = readings.get("homoglyph", norm)
    candidates = {
        "spaced": _despace(base),
        "pinyin": _from_pinyin(base, dec),
        "encoded": "\n".join(payloads(text, dec)),
    }
    for name, reading in candidates.items():
        if reading and reading != base:
            readings[name] = normalize(reading).text if name == "encoded" else reading
    return readings
