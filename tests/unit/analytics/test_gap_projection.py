"""The learned maps of the gap-clustering benchmark on two synthetic intents: the direction the
intents differ along must win over the one their utterances merely vary along."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.gap_projection import Labelled, lda, whitening


@pytest.fixture
def two_intents() -> Labelled:
    """Axis 0: wide spread inside each intent; axis 1: the intents 1 apart, little spread."""
    rnd = np.random.default_rng(3)
    noise = rnd.normal(size=(200, 3)) * [3.0, 0.2, 1.0]
    vectors = noise + np.repeat([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]], 100, axis=0)
    return Labelled([f"q{i}" for i in range(200)], ["a"] * 100 + ["b"] * 100, vectors)


def test_only_keeps_the_named_intents(two_intents: Labelled) -> None:
    part = two_intents.only({"b"})
    assert set(part.labels) == {"b"} and len(part.texts) == len(part.vectors) == 100
    assert part.texts[0] == "q100"


def test_lda_first_direction_is_the_one_separating_the_intents(two_intents: Labelled) -> None:
    first = lda(two_intents)[:, 0]
    assert abs(first[1]) > 5 * max(abs(first[0]), abs(first[2]))


def test_whitening_shrinks_the_spread_inside_an_intent(two_intents: Labelled) -> None:
    mapped = whitening(two_intents)
    scale = np.linalg.norm(mapped, axis=0)
    assert scale[1] > scale[2] > scale[0]
