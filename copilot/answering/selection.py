"""Answer selection: per candidate passage, the calibrated probability that it answers the
question. `score_passages` is the public entry point (also for labelling evidence for a model)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from copilot.answering.calibration import AnswerModel, answer_model, choice_probabilities
from copilot.answering.extract import answer_text
from copilot.answering.features import NAMES, Embed, feature_matrix, with_relative
from copilot.answering.passages import Passage


class ScoredPassage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passage: Passage
    probability: float
    features: dict[str, float]
    answer: str  # what to tell the customer from it (`extract.answer_text`)


def passage_features(
    question: str, passages: Sequence[Passage], embed: Embed, answers: Sequence[str]
) -> np.ndarray:
    """The feature rows of `features.NAMES` for each passage, in the given order; `answers`:
    each passage's `answer_text` for the question (the model is fitted and serves on the same
    extraction)."""
    return feature_matrix(
        question,
        [p.question for p in passages],
        [p.text for p in passages],
        embed,
        [p.doc_type == "product" and bool(a) for p, a in zip(passages, answers, strict=True)],
        [p.answer for p in passages],
    )


def score_passages(
    question: str,
    passages: Sequence[Passage],
    embed: Embed,
    model: AnswerModel | None = None,
) -> list[ScoredPassage]:
    """The passages with P(answers this question), most probable first (ties keep retrieval
    order). Passages in another language than the question's are not candidates."""
    if not passages:
        return []
    model = model or answer_model()
    answers = [answer_text(p, question) for p in passages]
    x = passage_features(question, passages, embed, answers)
    probabilities = model.probabilities(x)
    order = np.argsort(-probabilities, kind="stable")
    return [
        ScoredPassage(
            passage=passages[i],
            probability=round(float(probabilities[i]), 4),
            features=dict(zip(NAMES, (round(float(v), 4) for v in x[i]), strict=True)),
            answer=answers[i],
        )
        for i in order
    ]


def specific_choice(x: np.ndarray, weights: np.ndarray, bias: float) -> tuple[int, np.ndarray]:
    """(the chosen candidate, P(answers) of each candidate given the choice is among the
    specific ones; rows of x in retrieval order).

    The specific beats the general: when some passage names every matter the question names
    (推车 and 发货), one that does not (the general dispatch rule) is no answer; nor is one whose
    question names another matter too and whose answer speaks of none of the asked ones
    (发货后几天能到 answers 送达, not 发货), nor one whose question names the product asked about
    with another matter of the shop than the one asked, speaking of it only in passing (买的奶粉保质期还有
    多久 for 奶粉几点发货: 我们发出的奶粉…); without any passage naming every matter, the others
    are compared (the general dispatch rule). The kept candidates are compared among themselves
    (`with_relative`) in the choice model with "none"."""
    column = NAMES.index
    passing = x[:, column("head_other_matter")] > 0
    names = (x[:, column("topics_missed")] == 0) & ~passing
    elsewhere = (x[:, column("answer_topics_missed")] == 1) & (
        x[:, column("head_other_topics")] > 0
    )
    keep = next(
        (k for k in (names & ~elsewhere, names, ~passing) if k.any()), np.ones(len(x), dtype=bool)
    )
    given = np.zeros(len(x))
    given[keep] = choice_probabilities(with_relative(x[keep]), weights, bias)
    return int(np.argmax(given)), given
