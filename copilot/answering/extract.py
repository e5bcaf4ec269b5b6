"""Whole sentences of a passage that answer a question: never cut inside a sentence or a number.

FAQ answers are short and kept whole; longer passages give their best-matching sentences in
their own order; product rows give the fields the question asks for (price, spec, suitability).
"""

from __future__ import annotations

import re

from copilot.answering.lexicon import char_grams, key_terms, product_asks
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


def best_sentences(text: str, question: str, limit: int = MAX_SENTENCES) -> list[str]:
    """Up to `limit` sentences sharing most key terms with the question, in text order; between
    sentences sharing as many, the one sharing most character pairs (加糖 in 不额外添加糖)."""
    parts = split_sentences(text)
    terms, pairs = key_terms(question), _pairs(question)
    ranked = sorted(
        range(len(parts)),
        key=lambda i: (-_score(parts[i], terms), -len(_pairs(parts[i]) & pairs), i),
    )[:limit]
    keep = [i for i in ranked if _score(parts[i], terms) > 0] or ranked[:1]
    return [parts[i] for i in sorted(keep)]


def answer_text(passage: Passage, question: str) -> str:
    """What to tell the customer from this passage: whole sentences only."""
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
    extra = best_sentences(prose, question, 1) if prose else []
    if not parts or (extra and _score(extra[0], key_terms(question)) > 0.3):
        parts.extend(extra)
    joined = "; ".join(parts) if english else "，".join(p.rstrip("。；;") for p in parts)
    return f"{name}: {joined}" if english else f"{name}：{joined}"


def join(sentences: list[str]) -> str:
    out = ""
    for s in sentences:
        if out and out[-1].isascii() and s[0].isascii():
            out += " "
        out += s
    return out
