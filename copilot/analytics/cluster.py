"""Average-linkage agglomerative clustering on a similarity matrix, stopped at a threshold.

Start with every text its own cluster; repeatedly merge the two clusters whose mean pairwise
similarity is highest, until no pair reaches `threshold`. Cluster-to-cluster
similarities are updated with the Lance-Williams formula for average linkage
(s(k, i∪j) = (|i|·s(k, i) + |j|·s(k, j)) / (|i| + |j|)); each row keeps its best partner, so
a merge costs O(n) plus the rows whose best partner was one of the two merged. Memory is one
n×n float32 matrix (2,000 texts: 16 MB).
"""

from __future__ import annotations

import numpy as np

GONE = -np.inf


def _best(sim: np.ndarray, row: int) -> tuple[float, int]:
    col = int(np.argmax(sim[row]))
    return float(sim[row, col]), col


def average_linkage(similarity: np.ndarray, threshold: float) -> list[list[int]]:
    """Clusters of the items of the symmetric n×n `similarity` matrix, largest first; each a
    list of item indices in ascending order."""
    n = len(similarity)
    if n == 0:
        return []
    sim = np.array(similarity, dtype=np.float32)
    np.fill_diagonal(sim, GONE)
    size = np.ones(n, dtype=np.float32)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    best_sim = np.full(n, GONE, dtype=np.float64)
    best_col = np.zeros(n, dtype=np.int64)
    for i in range(n):
        best_sim[i], best_col[i] = _best(sim, i)
    while len(members) > 1:
        i = int(np.argmax(best_sim))
        if best_sim[i] < threshold:
            break
        j = int(best_col[i])
        merged = (size[i] * sim[i] + size[j] * sim[j]) / (size[i] + size[j])
        merged[[i, j]] = GONE
        sim[i], sim[:, i] = merged, merged
        sim[j], sim[:, j] = GONE, GONE
        size[i] += size[j]
        members[i] += members.pop(j)
        best_sim[j] = GONE
        stale = np.flatnonzero((best_col == i) | (best_col == j))
        for k in [i, *stale.tolist()]:
            if k in members:
                best_sim[k], best_col[k] = _best(sim, k)
        better = merged > best_sim
        better[[i, j]] = False
        best_sim[better], best_col[better] = merged[better], i
    clusters = [sorted(m) for m in members.values()]
    return sorted(clusters, key=lambda c: (-len(c), c[0]))
