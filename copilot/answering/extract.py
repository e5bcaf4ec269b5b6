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
    asked_types,
    asked_units,
    char_grams,
    key_terms,
    lexicon,
    product_asks,
    product_words,
    single_words,
    states_asked,
    states_type,
    stopwords,
    topics,
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
# A spec of packs inside the unit sold (80抽×6包): so many of a unit in each pack, so many packs.
PACKS = re.compile(r"(\d+)\s*([^\d\s×x*/（(]+?)\s*[×x*]\s*(\d+)\s*([^\d\s（(，,；;])")
# The unit sold a question counts in (湿巾一箱多少抽: 箱).
WHOLE = re.compile(r"[一每整]([箱盒提])")
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
    english = passage.language == "en"
    name = _field(passage, NAME)
    parts = []
    for key, labels in LABELS.items():
        value = _field(passage, labels)
        if value and key in _fields_asked(passage, question):
            value = value if english or key != "spec" else with_total(value, question)
            label = labels[1 if english else 0]
            parts.append(f"{label}: {value}" if english else f"{label}{value}")
    prose = " ".join(_field(passage, (k,)) for k in PROSE if _field(passage, (k,)))
    note = _note(prose, question, product_words(name))
    extra = [note] if note else []
    if not parts and not extra:
        return ""
    if not parts or (extra and _score(extra[0], key_terms(question)) > 0.3):
        parts.extend(extra)
    joined = "; ".join(parts) if english else "，".join(p.rstrip("。；;") for p in parts)
    # 按摩油怀孕几个月开始用: 适用孕期及产后女性 says no month
    if not states_asked(question, joined):
        return ""
    return f"{name}: {joined}" if english else f"{name}：{joined}"


def with_total(spec: str, question: str) -> str:
    """The spec with the count of the whole unit sold when the question asks how many of the
    inner unit it holds: 湿巾一箱多少抽 of 80抽×6包 → 80抽×6包（每箱共480抽）. A question about
    one pack (一包多少抽) or about the packs (一盒几袋) is answered by the spec as written."""
    packs, whole = PACKS.search(spec), WHOLE.search(question)
    if not packs or not whole or whole.group(1) == packs.group(4):
        return spec
    count, unit, number = int(packs.group(1)), packs.group(2), int(packs.group(3))
    if unit not in asked_units(question):
        return spec
    return f"{spec}（每{whole.group(1)}共{count * number}{unit}）"


def _fields_asked(passage: Passage, question: str) -> set[str]:
    """The fields the question asks for; when none of them states the kind of value asked but
    another field does, that one (NB码能穿到多重: 规格84片/包 states no weight, 适用 0–5kg does)."""
    asked = product_asks(question)
    kinds = asked_types(question)
    if not asked or not kinds:
        return asked
    stating = {k for k, labels in LABELS.items() if states_type(_field(passage, labels), kinds)}
    return asked if stating & asked else stating or asked


class _Asked:
    """What a question asks of a product row beyond the words naming the product (`known`):
    key words (玻璃), pairs of Chinese characters (雨罩), Chinese words of one character (躺) and
    the shop's matters other than products (保存: 能放多久 is said by 冷藏…24小时内吃完)."""

    def __init__(self, question: str, known: str) -> None:
        self.terms = key_terms(question) - key_terms(known)
        self.pairs = _han_pairs(question) - _han_pairs(known)
        self.marks = self.pairs | (single_words(question) - set(known))
        self.topics = topics(question) - set(lexicon().product_topics)

    def rank(self, sentence: str) -> tuple[float, int, int]:
        return (
            _score(sentence, self.terms),
            len(topics(sentence) & self.topics),
            len(self.marks & char_grams(sentence)),
        )

    def said_by(self, sentence: str) -> bool:
        return any(self.rank(sentence))


def _note(prose: str, question: str, known: str) -> str:
    """The sentence of a product row's notes saying most of what the question asks beyond the
    product's name, "" when none says any of it (推车有粉色的吗)."""
    asked = _Asked(question, known)
    sentences = split_sentences(prose)
    ranked = sorted(
        range(len(sentences)), key=lambda i: (*(-v for v in asked.rank(sentences[i])), i)
    )
    best = sentences[ranked[0]] if ranked else ""
    return best if best and asked.said_by(best) else ""


def join(sentences: list[str]) -> str:
    out = ""
    for s in sentences:
        if out and out[-1].isascii() and s[0].isascii():
            out += " "
        out += s
    return out
