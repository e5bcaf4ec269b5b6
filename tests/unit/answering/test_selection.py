from __future__ import annotations

import numpy as np

from copilot.answering.calibration import answer_model, fit_logistic
from copilot.answering.features import Embed
from copilot.answering.passages import Passage
from copilot.answering.selection import score_passages


def test_probabilities_are_sorted_and_bounded(passages: list[Passage], embed: Embed) -> None:
    scored = score_passages("满多少包邮", passages, embed)
    probabilities = [s.probability for s in scored]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert scored[0].passage.id == "K3"
    assert scored[0].probability >= answer_model().threshold


def test_a_passage_on_another_topic_is_less_probable(passages: list[Passage], embed: Embed) -> None:
    scored = {s.passage.id: s for s in score_passages("冲奶粉水温多少度合适", passages, embed)}
    bath = scored["K1"]
    assert bath.features["topic_mismatch"] == 1.0  # bath water, not formula
    assert scored["K2"].features["topic_mismatch"] == 0.0
    same_topic = np.array([[*{**bath.features, "topic_mismatch": 0.0}.values()]])
    assert bath.probability < answer_model().probabilities(same_topic)[0]


def test_nothing_to_score_is_an_empty_list(embed: Embed) -> None:
    assert score_passages("满多少包邮", [], embed) == []


def test_logistic_fit_finds_the_separating_direction() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] - x[:, 1] > 0).astype(float)
    weights, _ = fit_logistic(x, y, np.ones(len(y)))
    assert weights[0] > 1 and weights[1] < -1
