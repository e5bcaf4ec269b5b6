"""The reply drafts of the template drafter: split the message into questions, hand over what a
person must answer, answer the rest from the passage most probably answering it (or a fact
applied to the customer's case), with calibrated confidence."""

from __future__ import annotations

import math
import re
from datetime import date
from functools import cache
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict

from copilot.answering.agreement import support
from copilot.answering.calibration import AnswerModel, answer_model
from copilot.answering.cases import case_fact
from copilot.answering.extract import join
from copilot.answering.features import NAMES, Embed
from copilot.answering.handover import handover_kind
from copilot.answering.lexicon import (
    DATA,
    HAN,
    asked_types,
    lexicon,
    topics,
    variants,
    without_products,
)
from copilot.answering.passages import Passage, passage_of
from copilot.answering.selection import ScoredPassage, score_passages, specific_choice
from copilot.answering.splitting import split_questions

# Nothing to answer: only emoji, punctuation or placeholders such as [图片] / [语音].
PLACEHOLDER = re.compile(r"\[[^\]]{1,6}\]")


class Part(BaseModel):
    """One question of the message and what the reply says about it; `probability` is the
    chance that this is right: the answer, or handing the question over."""

    model_config = ConfigDict(extra="forbid")

    question: str
    text: str = ""
    cites: list[str] = []
    probability: float = 0.0
    handover: str | None = None


@cache
def phrases() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = yaml.safe_load(
        (DATA / "phrases.yaml").read_text(encoding="utf-8")
    )
    return data


def end_sentence(text: str) -> str:
    text = text.strip()
    if not text or text[-1] in "。!?!?.~…":
        return text
    body = text.rstrip(";；,，、:：")
    return body + ("。" if HAN.search(body) else ".")


def answer_part(
    question: str,
    passages: list[Passage],
    today: date,
    embed: Embed,
    model: AnswerModel,
) -> Part:
    kind = handover_kind(question)
    if kind:
        return Part(question=question, handover=kind, probability=model.handover_confidence)
    english = not HAN.search(question)
    passages = of_variant(question, passages)
    fact = case_fact(question, passages, today, english)
    scored = score_passages(question, passages, embed, model)
    if _shop_rule_asked(question, scored):  # 奶粉几点发货: the dispatch rule, product aside
        scored = score_passages(without_products(question), passages, embed, model)
    best, probability, index = None, 0.0, 0
    answers = [s.answer for s in scored]
    if scored:
        x = np.array([[s.features[n] for n in NAMES] for s in scored])
        index, given = specific_choice(x, np.asarray(model.weights), model.bias)
        best, probability = scored[index], support(index, answers, list(given))
    confidence = model.answer_confidence(probability) if best else 0.0
    if fact:
        return Part(
            question=question, text=fact.text, cites=fact.cites, probability=model.case_confidence
        )
    # a product row chosen that says nothing asked (推车有粉色的吗) is no answer
    if best is None or probability < model.threshold or not answers[index] or _uncovered(best):
        # holding is right when the best answer would have been wrong
        return Part(question=question, handover="unknown", probability=1.0 - confidence)
    text = answers[index]
    return Part(question=question, text=text, cites=[best.passage.id], probability=confidence)


def of_variant(question: str, passages: list[Passage]) -> list[Passage]:
    """The passages without product rows of another variant than the one asked (nb码 is not
    answered from the L码 row)."""
    asked = variants(question)
    if not asked:
        return passages
    return [p for p in passages if p.doc_type != "product" or not variants(p.question) - asked]


def _shop_rule_asked(question: str, scored: list[ScoredPassage]) -> bool:
    """Whether a question names a product with a matter the shop has one rule for and asks a
    kind of value (奶粉几点发货: a time) and no passage speaks of both: the product's own rule is
    not written, the shop's applies. Not for a question asking no kind of value (奶粉从哪发货: a
    place the dispatch-time rule does not state)."""
    named = topics(question)
    lex = lexicon()
    if not (named & set(lex.product_topics) and named & set(lex.policy_topics)):
        return False
    if not asked_types(question):
        return False
    return not any(
        s.features["topics_missed"] == 0 and not s.features["head_other_matter"] for s in scored
    )


def _uncovered(best: ScoredPassage) -> bool:
    """Most of the question's words are in no passage at all, the best passage states less than
    half of them and not the kind of value asked (客服一个月工资多少 → 客服电话): the knowledge base
    does not cover it."""
    f = best.features
    answers_the_ask = f["states_asked_value"] or f["product_field"]
    return f["unseen_terms"] > 0.5 and f["cover_passage"] < 0.5 and not answers_the_ask


def reply_items(
    context: dict[str, Any], embed: Embed | None = None, model: AnswerModel | None = None
) -> list[dict[str, Any]]:
    """Up to three reply suggestions for the prompt context (message, language, evidence)."""
    language = context.get("language", "zh")
    p = phrases()[language]
    message = str(context.get("customer_message", ""))
    if not re.search(r"[\w\u4e00-\u9fff]", PLACEHOLDER.sub("", message)):
        return [_item(p["bad_input"], [], 0.0, True), _item(p["holding_short"], [], 0.0, True)]
    if embed is None:
        from copilot.answering.embedding import default_embed

        embed = default_embed()
    model = model or answer_model()
    today = date.fromisoformat(context.get("today") or date.today().isoformat())
    passages = [passage_of(e) for e in context.get("evidence", [])]
    passages = [x for x in passages if x.language == language] or passages
    parts = [answer_part(q, passages, today, embed, model) for q in split_questions(message)]
    answered = [x for x in parts if not x.handover]
    # the chance that every part is right: each answer, and each hand-over
    confidence = math.prod(x.probability for x in parts)
    if not answered:
        kind = next((x.handover for x in parts if x.handover != "unknown"), None)
        holding = p.get(f"holding_{kind}", p["holding"])
        return [
            _item(holding, [], confidence, True),
            _item(p["holding_short"], [], confidence, True),
        ]
    pieces = []
    for x in parts:
        if x.handover:
            pieces.append(p.get(f"part_{x.handover}", p["part"]))
        else:
            pieces.append(end_sentence(x.text))
    body = join(pieces)
    cites = list(dict.fromkeys(c for x in answered for c in x.cites))
    needs_human = len(answered) < len(parts)
    items = [
        _item(p["reply"].format(answer=body), cites, confidence, needs_human),
        _item(p["reply_short"].format(answer=body), cites, confidence, needs_human),
    ]
    return items


def _item(text: str, cites: list[str], confidence: float, needs_human: bool) -> dict[str, Any]:
    return {
        "text": text,
        "citations": cites,
        "confidence": round(min(1.0, max(0.0, confidence)), 3),
        "needs_human": needs_human,
    }
