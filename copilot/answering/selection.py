"""Answer selection: per candidate passage, the calibrated probability that it answers the
question. `score_passages` is the public entry point (also for labelling evidence for a model)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from copilot.answering.calibration import AnswerModel, answer_model
from copilot.answering.features import NAMES, Embed, feature_matrix
from copilot.answering.passages import Passage


class ScoredPassage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passage: Passage
    probability: float
    features: dict[str, float]


def passage_features(question: str, passages: Sequence[Passage], embed: Embed) -> np.ndarray:
    """The feature rows of `features.NAMES` for each passage, in the given order."""
    return feature_matrix(
        question,
        [p.question for p in passages],
        [p.text for p in passages],
        embed,
        [p.doc_type == "product" for p in passages],
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
    x = passage_features(question, passages, embed)
    probabilities = model.probabilities(x)
    order = np.argsort(-probabilities, kind="stable")
    return [
        ScoredPassage(
            passage=passages[i],
            probability=round(float(probabilities[i]), 4),
            features=dict(zip(NAMES, (round(float(v), 4) for v in x[i]), strict=True)),
        )
        for i in order
    ]


SPECIFIC = ("topics_missed", "answer_topics_missed", "head_other_topics")


def specific_choice(
    features: Mapping[str, np.ndarray], probabilities: np.ndarray
) -> tuple[int, np.ndarray]:
    """(the chosen candidate, P(answers) given the choice is among the specific ones).

    The specific beats the general: when some passage names every matter the question names
    (推车 and 发货), one that does not (the general dispatch rule) is no answer; nor is one whose
    question names another matter too and whose answer speaks of none of the asked ones
    (发货后几天能到 answers 送达, not 发货). `features` holds the SPECIFIC columns; the
    probabilities are the choice model's over the kept candidates and "none"."""
    names = features["topics_missed"] == 0
    elsewhere = (features["answer_topics_missed"] == 1) & (features["head_other_topics"] > 0)
    keep = next(
        (k for k in (names & ~elsewhere, names) if k.any()), np.ones_like(names, dtype=bool)
    )
    kept = np.where(keep, probabilities, 0.0)
    total = kept.sum() + max(1.0 - float(probabilities.sum()), 0.0)
    given = kept / total if total > 0 else kept
    return int(np.argmax(given)), given
