"""The reply drafts of the template drafter: split the message into questions, hand over what a
person must answer, answer the rest from the passage most probably answering it (or a fact
applied to the customer's case), with calibrated confidence."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from copilot.answering.agreement import support
from copilot.answering.calibration import AnswerModel, answer_model
from copilot.answering.cases import case_fact
from copilot.answering.extract import answer_text, join
from copilot.answering.features import Embed
from copilot.answering.handover import handover_kind
from copilot.answering.lexicon import DATA, HAN, variants
from copilot.answering.passages import Passage, passage_of
from copilot.answering.selection import ScoredPassage, score_passages
from copilot.answering.splitting import split_questions

# Nothing to answer: only emoji, punctuation or placeholders such as [图片] / [语音].
PLACEHOLDER = re.compile(r"\[[^\]]{1,6}\]")


class Part(BaseModel):
    """One question of the message and what the reply says about it."""

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
        return Part(question=question, handover=kind)
    english = not HAN.search(question)
    asked = variants(question)
    if asked:  # nb码 is not answered from the L码 row
        passages = [
            p for p in passages if p.doc_type != "product" or not variants(p.question) - asked
        ]
    fact = case_fact(question, passages, today, english)
    scored = score_passages(question, passages, embed, model)
    # The specific beats the general: when some passage names every matter the question names
    # (推车 and 发货), one that does not (the general dispatch rule) is no answer.
    specific = [s for s in scored if s.features["topics_missed"] == 0]
    best = (specific or scored)[0] if scored else None
    answers = [answer_text(s.passage, question) for s in scored]
    probability = (
        support(scored.index(best), answers, [s.probability for s in scored]) if best else 0.0
    )
    confidence = model.answer_confidence(probability) if best else 0.0
    if fact:
        return Part(
            question=question, text=fact.text, cites=fact.cites, probability=model.case_confidence
        )
    if best is None or probability < model.threshold or _uncovered(best):
        return Part(question=question, handover="unknown", probability=confidence)
    text = answers[scored.index(best)]
    return Part(question=question, text=text, cites=[best.passage.id], probability=confidence)


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
    if not answered:
        kind = next((x.handover for x in parts if x.handover != "unknown"), None)
        best = max((x.probability for x in parts), default=0.0)
        holding = p.get(f"holding_{kind}", p["holding"])
        return [_item(holding, [], best, True), _item(p["holding_short"], [], best, True)]
    pieces = []
    for x in parts:
        if x.handover:
            pieces.append(p.get(f"part_{x.handover}", p["part"]))
        else:
            pieces.append(end_sentence(x.text))
    body = join(pieces)
    cites = list(dict.fromkeys(c for x in answered for c in x.cites))
    confidence = 1.0
    for x in answered:
        confidence *= x.probability
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
