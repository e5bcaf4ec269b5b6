"""Question similarity adapted to the questions' own topics (self-training, no labels).

A general sentence embedder spreads the questions of one intent along directions that have
nothing to do with the intent (wording, length, greetings). The questions themselves show which
directions those are: cluster them once (``similarity.question_similarity``, average linkage at
`SEED_THRESHOLD`), take every topic of `MIN_TOPIC` or more questions as an intent, and shrink
the directions the questions of one topic vary along by whitening the embeddings with the
within-topic scatter, (S_w + α·mean eigenvalue·I)^-power; then the blended similarity is
computed again on the mapped embeddings, `ROUNDS` rounds, each seeded by the one before. The
result is rescaled to the first similarity's mean and spread (off the diagonal), so one
threshold reads the same with and without the whitening. Fewer than `MIN_FITTED` questions in
seed topics cannot estimate a 512×512 scatter (on sets of 100 questions the whitening lost):
the first similarity is kept. Tuned on the CIC dev split (``benchmarks/gap_methods.py``,
``benchmarks/analytics.py``): adjusted Rand index 0.270 → 0.297.
"""

from __future__ import annotations

import numpy as np

from copilot.analytics.cluster import average_linkage
from copilot.analytics.similarity import blended, keyword_similarity

SEED_THRESHOLD = 0.15  # question_similarity's best on the CIC dev split
MIN_TOPIC, MIN_FITTED = 3, 100
ALPHA, POWER, ROUNDS = 0.3, 0.5, 2


def within_whitening(
    vectors: np.ndarray, topics: list[int], alpha: float, power: float
) -> np.ndarray:
    """d×d map (S_w + α·mean eigenvalue·I)^-power, S_w the scatter of the vectors around their
    topic's mean, per vector; the identity when the topics do not vary at all."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if not len(vectors):
        return np.eye(vectors.shape[1])
    codes = np.unique(np.asarray(topics), return_inverse=True)[1]
    means = np.zeros((codes.max() + 1, vectors.shape[1]))
    np.add.at(means, codes, vectors)
    spread = vectors - (means / np.bincount(codes)[:, None])[codes]
    within = spread.T @ spread / len(vectors)
    ridge = alpha * np.trace(within) / len(within)
    if ridge <= 0:
        return np.eye(len(within))
    values, directions = np.linalg.eigh(within + ridge * np.eye(len(within)))
    return (directions * np.maximum(values, ridge) ** -power) @ directions.T


def _spread(similarity: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of the similarities off the diagonal."""
    pairs = len(similarity) * (len(similarity) - 1)
    diagonal = np.diagonal(similarity).astype(np.float64)
    mean = (float(similarity.sum(dtype=np.float64)) - diagonal.sum()) / pairs
    square = (float(np.square(similarity, dtype=np.float64).sum()) - (diagonal**2).sum()) / pairs
    return mean, max(square - mean**2, 0.0) ** 0.5


def _rescaled(similarity: np.ndarray, reference: np.ndarray) -> np.ndarray:
    (mean, spread), (to_mean, to_spread) = _spread(similarity), _spread(reference)
    if spread == 0:
        return reference
    return ((similarity - mean) * (to_spread / spread) + to_mean).astype(np.float32)


def self_trained_similarity(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    """n×n similarity of the questions after `ROUNDS` rounds of topic whitening."""
    embedded = np.asarray(vectors, dtype=np.float64)
    keywords = keyword_similarity(texts)
    first = similarity = blended(embedded, keywords)
    for _ in range(ROUNDS):
        topics = [t for t in average_linkage(similarity, SEED_THRESHOLD) if len(t) >= MIN_TOPIC]
        rows = [i for topic in topics for i in topic]
        if len(rows) < MIN_FITTED:
            break
        labels = [n for n, topic in enumerate(topics) for _ in topic]
        mapping = within_whitening(embedded[rows], labels, ALPHA, POWER)
        similarity = blended(embedded @ mapping, keywords)
    return first if similarity is first else _rescaled(similarity, first)
