"""One customer message → the questions in it.

Clauses end at sentence punctuation, line breaks, spaces between Chinese clauses and connectors
(另外, 还有…); in English at ?, ! and ". ", and before "and <question word>". A clause that asks
nothing (no question cue) is context and joins the next one; a question without a subject of its
own (多钱) borrows the topic words of the question before it.
"""

from __future__ import annotations

import re

from copilot.answering.handover import handover_kind
from copilot.answering.lexicon import HAN, lexicon, plain, topics

MAX_QUESTIONS = 4
EN_SPLIT = re.compile(
    r"[?!;]+|\.\s+|\s+(?:and|also)\s+(?=(?:how|what|when|where|which|who|can|do|does|is|are|will)\b)"
)


def _zh_clauses(text: str) -> list[str]:
    connectors = sorted(lexicon().connectors, key=len, reverse=True)
    marked = re.sub("|".join(map(re.escape, connectors)), "\n", text)
    marked = re.sub(r"[。？！?!；;\n，,~]+", "\n", marked)
    marked = re.sub(r"(?<=[\u4e00-\u9fff\d])\s+(?=[\u4e00-\u9fff\d])", "\n", marked)
    return [c.strip() for c in marked.split("\n") if c.strip()]


def _asks(clause: str) -> bool:
    body = plain(clause)
    return any(cue.lower() in body for cue in lexicon().question_cues)


def split_questions(message: str) -> list[str]:
    """The questions of a message, in order (at most MAX_QUESTIONS; the rest join the last)."""
    text = message.strip()
    if HAN.search(text):
        clauses = _zh_clauses(text)
        joiner = ""
    else:
        clauses = [c.strip(" ,") for c in EN_SPLIT.split(text) if c and c.strip(" ,.")]
        joiner = " "
    questions: list[str] = []
    pending = ""
    for clause in clauses:
        kind = handover_kind(clause)
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
    return questions or [text]


def _with_subjects(questions: list[str], joiner: str) -> list[str]:
    """A question with no topic of its own takes the previous question's subject words."""
    out: list[str] = []
    for question in questions:
        if out and not topics(question) and not handover_kind(question) and len(question) <= 8:
            subject = re.split(r"[一每]?[包罐箱瓶盒]|几|多|怎|能|可以|是", out[-1])[0]
            question = f"{subject}{joiner}{question}"
        out.append(question)
    return out
