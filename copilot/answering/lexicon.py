"""The shop's vocabulary as data: synonyms, topics, promotion names, stopwords, question cues.

Text is compared after `canonical`: NFKC, traditional → simplified Chinese, lower case, and the
customer's words replaced by the knowledge base's (尿不湿 → 纸尿裤, 多钱 → 价格).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import opencc
import yaml
from pydantic import BaseModel, ConfigDict

from copilot.once import once

DATA = Path(__file__).with_name("data")
HAN = re.compile(r"[\u4e00-\u9fff]")
MEANING_TAGS = ("v", "n", "a")  # part-of-speech tags of words that carry meaning
GRAM = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")


class AnswerType(BaseModel):
    model_config = ConfigDict(extra="forbid")

    asks: list[str]
    units: list[str]
    prefixes: list[str] = []  # units written before the number (¥1299)


class AskedUnits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units: list[str]
    written: dict[str, list[str]]


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    synonyms: dict[str, str]
    topics: dict[str, list[str]]
    circumstances: dict[str, list[str]]
    promotions: dict[str, str]
    stopwords: list[str]
    question_cues: list[str]
    question_endings: list[str]
    connectors: list[str]
    greetings: list[str]
    product_topics: list[str]
    order_topics: list[str]
    policy_topics: list[str]
    variants: list[str]
    asks: dict[str, list[str]]
    answer_types: dict[str, AnswerType]
    asked_units: AskedUnits


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


@lru_cache(maxsize=8192)
def canonical(text: str) -> str:
    """`plain` text with the customer's words replaced by the knowledge base's (cached: the
    same passages are read for every reply)."""
    pattern, table = _synonym_pattern()
    return pattern.sub(lambda m: table[m.group(0)], plain(text))


def char_grams(text: str) -> set[str]:
    """Canonical Chinese characters and Latin words, and pairs of neighbours (加糖 in 添加糖)."""
    units = GRAM.findall(canonical(text))
    return {a + b for a, b in itertools.pairwise(units)} | set(units)


@cache
def stopwords() -> frozenset[str]:
    return frozenset(w.lower() for w in lexicon().stopwords)


def key_terms(text: str) -> set[str]:
    """The meaningful words of a text, canonical: jieba words of two or more characters and
    Latin words or numbers, without stopwords (no character bigrams: across word boundaries
    they are noise, 好买 in 你好买)."""
    return set(_key_terms(text))


@lru_cache(maxsize=8192)
def _key_terms(text: str) -> frozenset[str]:
    """Cached: the same knowledge-base passages are read for every reply."""
    stop = stopwords()
    words = (w.strip() for w in _segmenter().lcut_for_search(canonical(text)))
    # a stopword is dropped before folding a plural (does is not the word doe)
    words = (_singular(w) for w in words if w and w not in stop)
    return frozenset(
        w for w in words if w not in stop and (len(w) > 1 or (w.isalnum() and w.isascii()))
    )


def _singular(word: str) -> str:
    """An English plural or third-person -s folded away (ships → ship, diapers → diaper), so
    a question and a passage meet on the same word; not -ss or short words (class, is, us)."""
    if len(word) > 3 and word.isascii() and word.isalpha() and word[-1] == "s" and word[-2] != "s":
        return word[:-1]
    return word


@once
def _segmenter() -> Any:
    """The answerer's own jieba tokenizer, so that the keyword search cuts queries the same way
    whether or not a reply was answered before in the process. It reads the keyword search's
    dictionary (loaded lazily) with the commerce words the search adds and the shop's words (the
    lexicon's canonical words and topic names); not the topics' cue phrases (水温多少度, 能发),
    which would become words no passage contains. Set up once per process: threads segmenting
    their first texts at once would each add the words (moving jieba's word total, which decides
    how texts are cut) or segment before every word is in."""
    from copilot.config import get_settings
    from copilot.retrieval.jieba_dict import install
    from copilot.retrieval.text import _DOMAIN_WORDS, _import_jieba

    jieba = _import_jieba()
    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    install(tokenizer, get_settings().cache_dir / "jieba")
    shop = {w.lower() for w in (*lexicon().synonyms.values(), *lexicon().topics) if HAN.search(w)}
    for word in (*_DOMAIN_WORDS, *sorted(shop)):
        tokenizer.add_word(word, freq=200000)
    return tokenizer


@cache
def _tagger() -> Any:
    """Part-of-speech tagging on the answerer's jieba."""
    import jieba.posseg

    return jieba.posseg.POSTokenizer(_segmenter())


def topics(text: str) -> set[str]:
    """The shop's topics a text speaks of (by their cue words)."""
    return set(_topics(text))


@lru_cache(maxsize=8192)
def _topics(text: str) -> frozenset[str]:
    """Cached: every reply reads the topics of the same knowledge-base passages. A matter named
    only as the circumstance of another is not one of them (到货发现少了一件: 漏发, not 送达)."""
    body = canonical(text)
    lex = lexicon()
    found = {name for name, words in lex.topics.items() if any(w in body for w in words)}
    context = {c for name in found for c in lex.circumstances.get(name, [])}
    return frozenset(found - context)


@cache
def _product_cues() -> tuple[str, ...]:
    """The words naming a kind of product (奶粉, 纸尿裤…), lower-cased, in the lexicon's order."""
    lex = lexicon()
    return tuple(w.lower() for t in lex.product_topics for w in lex.topics.get(t, []))


def product_words(name: str) -> str:
    """The words of a product's name naming its kind (奶瓶 in 小禾家宽口径玻璃奶瓶), canonical: a
    question uses them to name the product, not to ask about it."""
    body = canonical(name)
    return " ".join(w for w in _product_cues() if w in body)


def without_products(text: str) -> str:
    """The canonical text without the words naming a kind of product (奶粉几点发货 → 几点发货)."""
    body = canonical(text)
    for cue in sorted(set(_product_cues()), key=len, reverse=True):
        body = body.replace(cue, " ")
    return " ".join(body.split())


def single_words(text: str) -> set[str]:
    """The question's Chinese words of one character that carry meaning: verbs, nouns and
    adjectives (躺 in 推车能躺吗, 盐), not stopwords, question words or words of place (上)."""
    return set(_single_words(text))


@lru_cache(maxsize=8192)
def _single_words(text: str) -> frozenset[str]:
    """Cached: a question is asked of every product row among its candidates."""
    lex = lexicon()
    skip = stopwords() | {w.lower() for w in (*lex.question_cues, *lex.question_endings)}
    return frozenset(
        pair.word
        for pair in _tagger().cut(canonical(text))
        if len(pair.word) == 1
        and HAN.match(pair.word)
        and pair.flag[:1] in MEANING_TAGS
        and pair.word not in skip
    )


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


@cache
def _asks_pattern() -> re.Pattern[str]:
    words = {w.lower() for kind in lexicon().answer_types.values() for w in kind.asks}
    words |= {w.lower() for field in lexicon().asks.values() for w in field}
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def without_asks(text: str) -> str:
    """The canonical text without the words that ask for a product field or a kind of value
    (多大, 容量, how much): what remains names the matter asked about."""
    return _asks_pattern().sub(" ", canonical(text))


def asked_types(text: str) -> set[str]:
    """The kinds of value a question asks for (temperature, duration, money…)."""
    body = canonical(text)
    return {
        name for name, kind in lexicon().answer_types.items() if any(w in body for w in kind.asks)
    }


def states_type(text: str, kinds: set[str]) -> bool:
    """Whether a text states a value of one of the kinds (a unit after a digit, also after a
    measure word: 3个工作日, 6个月)."""
    body = plain(text)
    for name in kinds:
        kind = lexicon().answer_types[name]
        units = "|".join(re.escape(u.lower()) for u in kind.units)
        if re.search(rf"\d\s*个?(?:{units})", body):
            return True
        if kind.prefixes and re.search(
            rf"(?:{'|'.join(re.escape(p) for p in kind.prefixes)})\s*\d", body
        ):
            return True
    return False


ASKERS = ("几个", "多少个", "几", "多少")


def asked_units(text: str) -> set[str]:
    """How an answer states the unit a question asks a count or amount in (几倍 → 倍, 多少度 →
    ℃ or 度, 几袋 → 袋); empty when it asks for none. The unit is a word of its own after 几 or
    多少 (满多少包邮 asks for no 包), also when 几倍 is segmented as one word."""
    return set(_asked_units(text))


@lru_cache(maxsize=8192)
def _asked_units(text: str) -> frozenset[str]:
    """Cached: a question is asked of every product row among its candidates."""
    table = lexicon().asked_units
    words = [w for w in _segmenter().lcut(plain(text)) if w.strip()]
    found: set[str] = set()
    for word, after in itertools.zip_longest(words, words[1:], fillvalue=""):
        asker = next((a for a in ASKERS if word.startswith(a)), None)
        unit = (word[len(asker) :] or after) if asker else ""
        if unit in table.units:
            found.update(table.written.get(unit, [unit]))
    return frozenset(found)


def states_unit(text: str, units: set[str]) -> bool:
    """Whether a text states a number in one of the units (6袋, 1.5倍, 40–50℃)."""
    if not units:
        return False
    written = {plain(u) for u in units}  # as the text is read: ℃ is °c after NFKC
    pattern = "|".join(re.escape(u) for u in sorted(written, key=len, reverse=True))
    return bool(re.search(rf"\d\s*(?:{pattern})", plain(text)))


def states_asked(question: str, answer: str) -> bool:
    """Whether an answer states a value of each sort the question asks for: the kind (duration,
    age…) and the unit (几袋); True when the question asks for none."""
    kinds, units = asked_types(question), asked_units(question)
    return (not kinds or states_type(answer, kinds)) and (not units or states_unit(answer, units))


def variants(text: str) -> set[str]:
    """Product variants a text names (nb, xl, 2段…), Latin ones as whole words."""
    body = canonical(text)
    found = set()
    for variant in lexicon().variants:
        pattern = (
            rf"(?<![a-z'’]){re.escape(variant)}(?![a-z])"
            if variant.isascii()
            else re.escape(variant)
        )
        if re.search(pattern, body):
            found.add(variant)
    return found
