"""Whole sentences of a passage that answer a question: never cut inside a sentence or a number.

FAQ answers are short and kept whole; longer passages give their best-matching sentences in
their own order; product rows give the fields the question asks for (price, spec, suitability)
or the sentence of their notes speaking of what the question asks beyond the product's name,
and nothing when they have neither (推车有粉色的吗: no sentence of the stroller's row says) or
state no value of the kind or unit asked (怀孕几个月开始用: 适用孕期及产后女性 names no month).
"""

from __future__ import annotations

import re

from copilot.answering.lexicon import (
    HAN,
    char_grams,
    key_terms,
    product_asks,
    states_asked,
    stopwords,
)
from copilot.answering.passages import Passage

# A sentence ends at Chinese or Latin terminal punctuation; a Latin period only before a space or
# the end (never inside 6.8kg or xiaohe.example); a Chinese semicolon ends a clause of a list, a
# Latin one joins two halves of one English sentence and does not.
END = "\u3002\uff01\uff1f\uff1b!?"  # 。！？； ! ?
SENTENCE = re.compile(rf"(?:[^{END}\n.]|\.(?!\s|$))+(?:[{END}]|\.(?=\s|$))?")
WHOLE_ANSWER_CHARS = {"zh": 200, "en": 480}  # the same length of answer in either language
MAX_SENTENCES = 2
LABELS: dict[str, tuple[str, ...]] = {
    "price": ("价格", "Price"),
    "spec": ("规格", "Spec"),
    "suitable": ("适用", "Suitable for"),
}
NAME = ("商品", "Product")
PROSE = ("注意事项", "介绍", "Cautions", "Description")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text.replace("\r", "")) if s.strip()]


def _score(sentence: str, terms: set[str]) -> float:
    return len(key_terms(sentence) & terms) / (1 + len(terms))


def _pairs(text: str) -> set[str]:
    return {g for g in char_grams(text) if len(g) == 2}


def _han_pairs(text: str) -> set[str]:
    """Pairs of neighbouring Chinese characters that are not a stopword (雨罩, not 可以)."""
    stop = stopwords()
    return {g for g in _pairs(text) if HAN.match(g[0]) and HAN.match(g[1]) and g not in stop}


def best_sentences(
    text: str, question: str, limit: int = MAX_SENTENCES, known: str = ""
) -> list[str]:
    """Up to `limit` sentences sharing most key terms with the question, in text order; between
    sentences sharing as many, the one sharing most character pairs (加糖 in 不额外添加糖).
    Words of `known` (the product's name, said by every sentence of its row) do not count."""
    parts = split_sentences(text)
    terms, pairs = key_terms(question) - key_terms(known), _pairs(question) - _pairs(known)
    ranked = sorted(
        range(len(parts)),
        key=lambda i: (-_score(parts[i], terms), -len(_pairs(parts[i]) & pairs), i),
    )[:limit]
    keep = [i for i in ranked if _score(parts[i], terms) > 0] or ranked[:1]
    return [parts[i] for i in sorted(keep)]


def answer_text(passage: Passage, question: str) -> str:
    """What to tell the customer from this passage: whole sentences only ("" when a product row
    says nothing the question asks)."""
    if passage.doc_type == "product" and passage.fields:
        return _product(passage, question)
    body = passage.answer
    if len(body) <= WHOLE_ANSWER_CHARS[passage.language]:
        return body
    return join(best_sentences(body, question))


def _field(passage: Passage, labels: tuple[str, ...]) -> str:
    return next((passage.fields[k] for k in labels if k in passage.fields), "")


def _product(passage: Passage, question: str) -> str:
    asked = product_asks(question)
    english = passage.language == "en"
    name = _field(passage, NAME)
    parts = []
    for key, labels in LABELS.items():
        value = _field(passage, labels)
        if value and key in asked:
            label = labels[1 if english else 0]
            parts.append(f"{label}: {value}" if english else f"{label}{value}")
    prose = " ".join(_field(passage, (k,)) for k in PROSE if _field(passage, (k,)))
    extra = [
        s
        for s in (best_sentences(prose, question, 1, name) if prose else [])
        if _says(s, question, name)
    ]
    if not parts and not extra:
        return ""
    if not parts or (extra and _score(extra[0], key_terms(question)) > 0.3):
        parts.extend(extra)
    joined = "; ".join(parts) if english else "，".join(p.rstrip("。；;") for p in parts)
    if not states_asked(
        question, joined
    ):  # 按摩油怀孕几个月开始用: 适用孕期及产后女性 says no month
        return ""
    return f"{name}: {joined}" if english else f"{name}：{joined}"


def _says(sentence: str, question: str, name: str) -> bool:
    """Whether a sentence of a product row speaks of something the question asks beyond the
    product's name: a key word or a pair of Chinese characters (雨罩)."""
    terms = key_terms(question) - key_terms(name)
    return bool(
        key_terms(sentence) & terms
        or _han_pairs(sentence) & (_han_pairs(question) - _han_pairs(name))
    )


def join(sentences: list[str]) -> str:
    out = ""
    for s in sentences:
        if out and out[-1].isascii() and s[0].isascii():
            out += " "
        out += s
    return out
