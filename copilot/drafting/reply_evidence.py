"""Evidence for a model's reply: each passage labelled with the probability that it answers the
customer's question (the template answerer's calibrated choice model), most probable first, so
the model leans on the passage that answers and a draft citing none of them goes to a person."""

from __future__ import annotations

from copilot.answering import passage_of, score_passages
from copilot.answering.calibration import answer_model
from copilot.answering.features import Embed
from copilot.answering.splitting import split_questions
from copilot.drafting.evidence import ANSWER_DIGITS
from copilot.retrieval.models import Hit

Labels = dict[str, float]  # passage id → P(answers one of the message's questions)


def _as_evidence(hit: Hit) -> dict[str, object]:
    return {
        "id": hit.id,
        "text": hit.text,
        "doc_type": hit.doc_type,
        "source": hit.source,
        "heading": hit.heading,
        "metadata": hit.metadata,
    }


def answer_labels(message: str, hits: list[Hit], embed: Embed | None = None) -> Labels:
    """Per passage, the highest P(answers) over the questions of the message."""
    if not hits:
        return {}
    if embed is None:
        from copilot.answering.embedding import default_embed

        embed = default_embed()
    passages = [passage_of(_as_evidence(hit)) for hit in hits]
    labels = dict.fromkeys((hit.id for hit in hits), 0.0)
    for question in split_questions(message):
        for scored in score_passages(question, passages, embed):
            labels[scored.passage.id] = max(labels[scored.passage.id], scored.probability)
    return labels


def rank_by_answer(hits: list[Hit], labels: Labels) -> list[Hit]:
    """The passages most probable first as the prompt shows their probability (ties keep
    retrieval order: the last bits of a probability never reorder the prompt), cited K1, K2…"""
    ranked = sorted(hits, key=lambda hit: -round(labels.get(hit.id, 0.0), ANSWER_DIGITS))
    return [hit.model_copy(update={"citation": f"K{n}"}) for n, hit in enumerate(ranked, 1)]


def cites_an_answer(cited: list[str], labels: Labels) -> bool:
    """Whether one of the cited passages answers with at least the answer threshold."""
    return max((labels.get(pid, 0.0) for pid in cited), default=0.0) >= answer_model().threshold
