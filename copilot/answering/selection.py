"""Answer selection: per candidate passage, the calibrated probability that it answers the
question. `score_passages` is the public entry point (also for labelling evidence for a model)."""

from __future__ import annotations

from collections.abc import Sequence

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
