"""Conversation threads: the earlier turns of a chat, and follow-ups read against them.

A reply is drafted from the last turns of the conversation, each PII-redacted like the message.
A follow-up — a short message that starts with 那/还有/what about…, ends with 呢, or only asks
"how much" without saying about what — is read together with the customer's previous question
for retrieval and the template answerer: when it only names another variant or product, the
previous question is asked of that one (纸尿裤M码多少钱 … 那L码呢 → 纸尿裤L码多少钱), else the
two are joined (宝宝7公斤穿什么码 … 那M码呢 → 宝宝7公斤穿什么码M码呢). A message with a topic and a
question of its own is left as it is. The words are data
(``data/follow_up.yaml``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from copilot.answering.lexicon import HAN, canonical, key_terms, lexicon, topics, variants
from copilot.drafting.evidence import fence_safe

MAX_TURN_CHARS = 2000
DATA = Path(__file__).with_name("data") / "follow_up.yaml"
Language = Literal["zh", "en"]
SENTENCE_END = re.compile(r"[。？！?!；;\n]+")
EDGE = " \t\r\n,，.。!！?？~～、:：;；"


class Turn(BaseModel):
    """One earlier message of the conversation: the customer's or the agent's."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["customer", "agent"]
    text: str = Field(min_length=1, max_length=MAX_TURN_CHARS)


class FollowUpWords(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_chars: dict[Language, int]
    starts: dict[Language, list[str]]
    ends: dict[Language, list[str]]
    not_asking: list[str]


@cache
def words() -> FollowUpWords:
    return FollowUpWords.model_validate(yaml.safe_load(DATA.read_text(encoding="utf-8")))


@cache
def _ask_words() -> frozenset[str]:
    """Words that say what is asked (价格, 几天, how long), canonical."""
    lex = lexicon()
    asks = [w for group in lex.asks.values() for w in group]
    asks += [w for kind in lex.answer_types.values() for w in kind.asks]
    return frozenset(canonical(w) for w in asks)


def _language(text: str) -> Language:
    return "zh" if HAN.search(text) else "en"


def _contains(body: str, word: str) -> bool:
    if HAN.search(word) or not word.isascii() or not word.isalnum():
        return word in body
    return re.search(rf"\b{re.escape(word)}\b", body) is not None


def _without_greeting(text: str) -> str:
    greetings = sorted(lexicon().greetings, key=len, reverse=True)
    pattern = rf"^(?:(?:{'|'.join(map(re.escape, greetings))})[{re.escape(EDGE)}]*)+"
    return re.sub(pattern, "", text.strip(EDGE), flags=re.IGNORECASE).strip(EDGE)


def _core(text: str) -> tuple[str, bool]:
    """(the message without greeting and leading follow-up word, whether it was marked as a
    follow-up by such a word or by an ending like 呢)."""
    body = _without_greeting(text)
    language = _language(body)
    w = words()
    for start in sorted(w.starts[language], key=len, reverse=True):
        if body.lower().startswith(start) and (
            language == "zh" or not body[len(start) : len(start) + 1].isalnum()
        ):
            rest = body[len(start) :].strip(EDGE)
            if rest:
                return rest, True
    return body, body.rstrip(EDGE).endswith(tuple(w.ends[language]))


def _asks_own(body: str) -> bool:
    """The message says what it asks about (a topic) and asks something of it."""
    if not topics(body):
        return False
    text = canonical(body)
    ignored = set(words().not_asking)
    cues = [c for c in lexicon().question_cues if c not in ignored]
    return any(_contains(text, cue) for cue in cues) or bool(key_terms(body) & _ask_words())


def is_follow_up(message: str) -> bool:
    """Whether `message` only makes sense with the question before it."""
    core, marked = _core(message)
    if not core or len(core) > words().max_chars[_language(core)]:
        return False
    if marked:
        return not _asks_own(core)
    terms = key_terms(core)
    return bool(terms) and not topics(core) and terms <= _ask_words()


def _last_question(text: str) -> str:
    sentences = [s.strip(EDGE) for s in SENTENCE_END.split(text) if s.strip(EDGE)]
    return sentences[-1] if sentences else ""


def _variant(variant: str) -> re.Pattern[str]:
    """A variant (m, xl, 2段) in original text; Latin ones as whole words."""
    body = (
        rf"(?<![a-z'’]){re.escape(variant)}(?![a-z])" if variant.isascii() else re.escape(variant)
    )
    return re.compile(body, re.IGNORECASE)


def _products(text: str) -> dict[str, str]:
    """Product topic → the word for it the text uses (纸尿裤, 推车)."""
    body, lex = text.lower(), lexicon()
    found = {}
    for name in lex.product_topics:
        used = [w for w in lex.topics.get(name, []) if w.lower() in body]
        if used:
            found[name] = max(used, key=len)
    return found


def _swapped(previous: str, core: str) -> str | None:
    """`previous` asked of the variant or product `core` names instead of its own (纸尿裤M码
    多少钱 + L码 → 纸尿裤L码多少钱); None when `core` names none or says more than that."""
    text, rest = previous, core
    new, old = variants(core), variants(previous)
    if len(new) == 1 and old and new != old:
        (name,) = new
        for variant in old:
            text = _variant(variant).sub(name.upper() if name.isascii() else name, text)
        rest = _variant(name).sub("", rest)
    products, before = _products(core), _products(previous)
    if len(products) == 1 and before and products.keys() != before.keys():
        (word,) = products.values()
        for used in before.values():
            text = re.sub(re.escape(used), word, text, flags=re.IGNORECASE)
        rest = re.sub(re.escape(word), "", rest, flags=re.IGNORECASE)
    says_more = key_terms(rest) - key_terms(previous)
    return text if text != previous and not says_more else None


def _join(previous: str, message: str) -> str:
    head, (core, _) = _last_question(previous), _core(message)
    if not head:
        return message
    swapped = _swapped(head, core)
    if swapped:
        return swapped
    joiner = "" if HAN.search(head + core) else " "
    return f"{head}{joiner}{core}"


def resolve(message: str, thread: list[Turn]) -> str:
    """The question `message` asks, read against the customer's earlier turns: a follow-up is
    joined to the previous customer question (itself resolved the same way); anything else is
    returned unchanged."""
    previous = ""
    for turn in thread:
        if turn.role == "customer":
            text = turn.text.strip()
            previous = _join(previous, text) if previous and is_follow_up(text) else text
    return _join(previous, message) if previous and is_follow_up(message) else message


def render_thread(thread: list[Turn], empty: str) -> str:
    """The turns as prompt data: one ``<turn role="…">`` per turn, fence tags defused."""
    if not thread:
        return empty
    return "\n".join(f'<turn role="{t.role}">{fence_safe(t.text)}</turn>' for t in thread)
