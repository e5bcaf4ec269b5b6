"""Reproduce the shipped injection model from the data folder (train halves only).

    python -m benchmarks.train_injection [DATA_DIR] [--out PATH]   # or set SIYU_BENCH_DATA

Positives: the seeded train half of every attack set (see injection_data.py) and Chinese
attack templates (injection_attack_zh.txt). Negatives: permissively licensed benign text only
(banking77 train, one Bitext half's questions and answers, community posts, the dev half of the
knowledge base, Chinese template messages). Logistic regression over hashed character n-grams, fitted
with full-batch Adam in numpy; deterministic for a given data folder.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks.injection_data import attack_train, benign_train, own_texts
from copilot.guardrails.injection_model import WEIGHTS_PATH, NgramModel, ngram_buckets, normalize

BITS = 18
EPOCHS = 300
L2 = 2e-5
RATE = 0.05
# How much more a text of the brand's own (posts, the knowledge base's dev half) weighs than other
# benign text: its English policy prose ("members who spend … become …") reads much like an
# instruction to the few hundred such texts among 16,000 banking and support questions.
OWN_WEIGHT = 5.0


def featurize(texts: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:  # fmt: skip
    """Sparse rows as (row index, bucket, value) triples; each row scaled to unit length."""
    rows, cols, vals = [], [], []
    for i, text in enumerate(texts):
        buckets = ngram_buckets(normalize(text), BITS)
        rows.append(np.full(buckets.size, i))
        cols.append(buckets)
        vals.append(np.full(buckets.size, 1.0 / np.sqrt(max(buckets.size, 1))))
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def fit(
    texts: list[str], labels: npt.NDArray[np.float64], emphasis: npt.NDArray[np.float64]
) -> NgramModel:
    """Class-balanced, L2-regularised logistic regression, full-batch Adam; `emphasis` scales
    each text's weight within its class."""
    rows, cols, vals = featurize(texts)
    n, dim = len(texts), 1 << BITS
    positive = emphasis * labels
    negative = emphasis * (1 - labels)
    sample_weight = 0.5 * positive / positive.sum() + 0.5 * negative / negative.sum()
    params = np.zeros(dim + 1)  # weights, then bias
    first, second = np.zeros_like(params), np.zeros_like(params)
    for step in range(1, EPOCHS + 1):
        logits = np.bincount(rows, weights=vals * params[cols], minlength=n) + params[-1]
        error = (1.0 / (1.0 + np.exp(-logits)) - labels) * sample_weight
        grad = np.empty_like(params)
        grad[:-1] = np.bincount(cols, weights=vals * error[rows], minlength=dim) + L2 * params[:-1]
        grad[-1] = error.sum()
        first = 0.9 * first + 0.1 * grad
        second = 0.999 * second + 0.001 * grad**2
        params -= RATE * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
        if step % 50 == 0:
            loss = -np.sum(sample_weight * (labels * np.log(1e-12 + 1 / (1 + np.exp(-logits)))
                           + (1 - labels) * np.log(1e-12 + 1 / (1 + np.exp(logits)))))  # fmt: skip
            print(f"  step {step:>4}  weighted log-loss {loss:.4f}")
    return NgramModel(params[:-1].astype(np.float32), float(params[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=os.environ.get("SIYU_BENCH_DATA"))
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    args = parser.parse_args()
    if args.data is None or not Path(args.data).is_dir():
        sys.exit("data folder not found: pass it as the first argument or set SIYU_BENCH_DATA")
    attacks = attack_train(Path(args.data))
    benign = benign_train(Path(args.data))
    print(f"training on {len(attacks)} attack texts (train halves) and {len(benign)} benign texts")
    labels = np.concatenate([np.ones(len(attacks)), np.zeros(len(benign))])
    own = set(own_texts())
    emphasis = np.array([OWN_WEIGHT if t in own else 1.0 for t in [*attacks, *benign]])
    model = fit(attacks + benign, labels, emphasis)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
