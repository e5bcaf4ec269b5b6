"""Topic self-training of the gap similarity: the whitening shrinks what varies inside a topic,
the result keeps the first similarity's scale, and too few questions leave it as it was."""

from __future__ import annotations

import numpy as np
import pytest

from copilot.analytics.selftrain import (
    MIN_FITTED,
    _spread,
    self_trained_similarity,
    within_whitening,
)
from copilot.analytics.similarity import question_similarity


def _intents(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Four intents, one axis each (little spread), and a wide nuisance spread along axis 8."""
    rnd = np.random.default_rng(seed)
    intent = np.repeat(np.arange(4), count // 4)
    vectors = np.eye(16)[intent] + rnd.normal(size=(len(intent), 16)) * 0.15
    vectors[:, 8] = rnd.normal(size=len(intent)) * 1.5
    return vectors, intent, [f"问题{i}" for i in range(len(intent))]


def _separation(similarity: np.ndarray, intent: np.ndarray) -> float:
    """(mean similarity within an intent − mean across intents) / spread of all pairs."""
    same = intent[:, None] == intent[None, :]
    off = ~np.eye(len(intent), dtype=bool)
    within, across = similarity[same & off].mean(), similarity[~same].mean()
    return float((within - across) / similarity[off].std())


def test_whitening_shrinks_the_direction_a_topic_varies_along() -> None:
    rnd = np.random.default_rng(1)
    vectors = rnd.normal(size=(300, 3)) * [3.0, 0.2, 1.0] + np.repeat(
        [[0, 0, 0], [0, 1, 0]], 150, 0
    )
    scale = np.linalg.norm(within_whitening(vectors, [0] * 150 + [1] * 150, 0.3, 0.5), axis=0)
    assert scale[1] > scale[2] > scale[0]


def test_whitening_of_topics_that_do_not_vary_is_the_identity() -> None:
    same = np.tile([[1.0, 2.0, 3.0]], (4, 1))
    assert np.array_equal(within_whitening(same, [0, 0, 1, 1], 0.3, 0.5), np.eye(3))


def test_self_training_separates_intents_and_keeps_the_scale() -> None:
    vectors, intent, texts = _intents(240)
    first = question_similarity(vectors, texts)
    got = self_trained_similarity(vectors, texts)
    assert _separation(got, intent) > 2 * _separation(first, intent)
    assert _spread(got) == pytest.approx(_spread(first), abs=1e-6)


def test_too_few_questions_keep_the_first_similarity() -> None:
    vectors, _, texts = _intents(MIN_FITTED - 4)
    assert np.array_equal(
        self_trained_similarity(vectors, texts), question_similarity(vectors, texts)
    )
