"""The shop's vocabulary as data: synonyms, topics, promotion names, stopwords, question cues.

Text is compared after `canonical`: NFKC, traditional → simplified Chinese, lower case, and the
customer's words replaced by the knowledge base's (尿不湿 → 纸尿裤, 多钱 → 价格).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import opencc
import yaml
from pydantic import BaseModel, ConfigDict

from copilot.retrieval.text import keyword_tokens

DATA = Path(__file__).with_name("data")
HAN = re.compile(r"[\u4e00-\u9fff]")


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    synonyms: dict[str, str]
    topics: dict[str, list[str]]
    promotions: dict[str, str]
    stopwords: list[str]
    question_cues: list[str]
    connectors: list[str]
    asks: dict[str, list[str]]


@cache
def lexicon() -> Lexicon:
    data = yaml.safe_load((DATA / "lexicon.yaml").read_text(encoding="utf-8"))
    return Lexicon.model_validate(data)


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _synonym_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    table = {key.lower(): value.lower() for key, value in lexicon().synonyms.items()}
    keys = sorted(table, key=len, reverse=True)
    parts = [rf"\b{re.escape(k)}\b" if k.isascii() and k.isalpha() else re.escape(k) for k in keys]
    return re.compile("|".join(parts)), table


def plain(text: str) -> str:
    """NFKC, simplified Chinese, lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    if HAN.search(text):
        text = _t2s().convert(text)
    return " ".join(text.lower().split())


def canonical(text: str) -> str:
    """`plain` text with the customer's words replaced by the knowledge base's."""
    pattern, table = _synonym_pattern()
    return pattern.sub(lambda m: table[m.group(0)], plain(text))


@cache
def _stopwords() -> frozenset[str]:
    return frozenset(w.lower() for w in lexicon().stopwords)


def key_terms(text: str) -> set[str]:
    """The meaningful tokens of a text (jieba words, Han bigrams, Latin words), canonical."""
    stop = _stopwords()
    return {t for t in keyword_tokens(canonical(text)) if t not in stop and len(t.strip()) > 0}


def topics(text: str) -> set[str]:
    body = canonical(text)
    return {name for name, words in lexicon().topics.items() if any(w in body for w in words)}


def promotion_titles(text: str) -> list[str]:
    """Promotion titles a message names colloquially (双十二 → 双十二年终盛典)."""
    body = canonical(text)
    names = sorted(lexicon().promotions, key=len, reverse=True)
    found: list[str] = []
    for name in names:
        if name.lower() in body and lexicon().promotions[name] not in found:
            found.append(lexicon().promotions[name])
            body = body.replace(name.lower(), " ")
    return found


def product_asks(text: str) -> set[str]:
    """The product fields a question asks for: price, spec, suitable."""
    body = canonical(text)
    return {field for field, words in lexicon().asks.items() if any(w in body for w in words)}
