"""One customer message → the questions in it.

Clauses end at sentence punctuation, line breaks, spaces between Chinese clauses and connectors
(另外, 还有…); in English at ?, ! and ". ", and before "and <question word>". A clause that asks
nothing (no question cue) is context and joins the next one; a question without a subject of its
own (多钱) borrows the topic words of the question before it.
"""

from __future__ import annotations

import re

from copilot.answering.handover import handover_kind
from copilot.answering.lexicon import HAN, canonical, lexicon, topics

MAX_QUESTIONS = 4
# Items counted by their pack (两包, 3罐): a count of the product asked about before.
COUNT = re.compile(r"\d+\s*(?:包|罐|瓶|盒|支|箱|袋|packs?|tins?)")
HARD, SOFT = "\x00", "\x01"  # clause breaks: connector or sentence end / comma or space
# After these, clauses not set apart by a connector or a sentence end are about the same matter
# (乳腺炎了好疼 还能用乳垫吗): the whole goes to a person.
STICKY: tuple[str, ...] = ("medical", "complaint")
EN_SPLIT = re.compile(
    r"[?!;]+|\.\s+|\s+(?:and|also)\s+(?=(?:how|what|when|where|which|who|can|do|does|is|are|will)\b)"
)


def _zh_clauses(text: str) -> list[tuple[str, bool]]:
    """(clause, whether a connector or a sentence end separates it from the one before)."""
    connectors = sorted(lexicon().connectors, key=len, reverse=True)
    marked = re.sub("|".join(map(re.escape, connectors)), HARD, text)
    marked = re.sub(r"[。？！?!；;\n]+", HARD, marked)
    marked = re.sub(r"[，,~]+", SOFT, marked)
    marked = re.sub(r"(?<=[\u4e00-\u9fff\d])\s+(?=[\u4e00-\u9fff\d])", SOFT, marked)
    out: list[tuple[str, bool]] = []
    hard = False
    for piece in re.split(f"([{HARD}{SOFT}])", marked):
        if piece in (HARD, SOFT):
            hard = hard or piece == HARD
        elif piece.strip():
            out.append((piece.strip(), hard and bool(out)))
            hard = False
    return out


def _asks(clause: str) -> bool:
    body = canonical(clause)
    if body.rstrip(" ?？!！~。.").endswith(tuple(lexicon().question_endings)):
        return True
    return any(cue.lower() in body for cue in lexicon().question_cues)


def split_questions(message: str) -> list[str]:
    """The questions of a message, in order (at most MAX_QUESTIONS; the rest join the last)."""
    text = message.strip()
    if HAN.search(text):
        clauses = _zh_clauses(text)
        joiner = ""
    else:
        parts = [c.strip(" ,") for c in EN_SPLIT.split(text) if c and c.strip(" ,.")]
        clauses = [(c, True) for c in parts]
        joiner = " "
    questions: list[str] = []
    pending = ""
    for clause, hard in clauses:
        kind = handover_kind(clause)
        previous = handover_kind(questions[-1]) if questions and not pending else None
        if previous in STICKY and not hard and kind in (None, previous):
            questions[-1] = f"{questions[-1]}{joiner}{clause}"
            continue
        if kind:
            # context before a hand-over belongs to it; so do more clauses of the same kind
            if questions and not pending and handover_kind(questions[-1]) == kind:
                questions[-1] = f"{questions[-1]}{joiner}{clause}"
            else:
                questions.append(f"{pending}{joiner}{clause}" if pending else clause)
            pending = ""
            continue
        pending = f"{pending}{joiner}{clause}" if pending else clause
        if _asks(clause):
            questions.append(pending)
            pending = ""
    if pending:
        if questions:
            questions[-1] = f"{questions[-1]}{joiner}{pending}"
        else:
            questions.append(pending)
    questions = _with_subjects(questions, joiner)
    if len(questions) > MAX_QUESTIONS:
        questions = [*questions[: MAX_QUESTIONS - 1], joiner.join(questions[MAX_QUESTIONS - 1 :])]
    return [_without_greeting(q) for q in questions] or [text]


def _without_greeting(question: str) -> str:
    """The question without the greeting it starts with (你好, 亲, hi…), when more remains."""
    words = sorted(lexicon().greetings, key=len, reverse=True)
    pattern = rf"^(?:(?:{'|'.join(map(re.escape, words))})[\s,，!！~]*)+"
    rest = re.sub(pattern, "", question, flags=re.IGNORECASE).strip()
    return rest or question


def _with_subjects(questions: list[str], joiner: str) -> list[str]:
    """A short question with no topic (多钱) or no product of its own (几天发货) takes the
    previous question's subject words; one about the whole order (满多少包邮) does not, unless it
    counts items of the product (买两包能包邮不)."""
    out: list[str] = []
    products, orders = set(lexicon().product_topics), set(lexicon().order_topics)
    for question in questions:
        own = topics(question)
        counted = bool(COUNT.search(canonical(question)))
        apart = own & (products if counted else products | orders)
        borrow = bool(out) and (not own or (not apart and bool(topics(out[-1]) & products)))
        if borrow and not handover_kind(question) and len(question) <= 8:
            product = topics(out[-1]) & products
            subject = (
                "".join(sorted(product))
                if own and product
                else re.split(r"[一每]?[包罐箱瓶盒]|几|多|怎|能|可以|是", out[-1])[0]
            )
            question = f"{subject}{joiner}{question}"
        out.append(question)
    return out
