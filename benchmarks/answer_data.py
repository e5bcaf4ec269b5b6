"""Data for fitting and measuring the reply answerer: the shop's cases (dev/test) run through the
product retrieval, and the public CIC and AFQMC sets turned into candidate lists."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CANDIDATES = 8


Lists = list[tuple[str, list[str], list[int]]]


def cached(folder: Path | None, name: str, build: Callable[[], Lists]) -> Lists:
    """Candidate lists from `folder/name.json` when present (embedding the banks is slow)."""
    path = folder / f"{name}.json" if folder else None
    if path and path.is_file():
        return [(q, c, y) for q, c, y in json.loads(path.read_text(encoding="utf-8"))]
    lists = build()
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(lists, ensure_ascii=False), encoding="utf-8")
    return lists


def _lines(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _candidate_lists(
    queries: list[str], bank: list[str], embed_all: np.ndarray, embed_q: np.ndarray
) -> list[list[int]]:
    scores = embed_q @ embed_all.T
    return [list(np.argsort(-row)[:CANDIDATES]) for row in scores]


def _embed(texts: list[str]) -> np.ndarray:
    from copilot.config import get_settings
    from copilot.retrieval.embedder import embedder_from_settings

    embedder = embedder_from_settings(get_settings().embedding)
    return np.vstack(
        [embedder.embed_documents(texts[i : i + 512]) for i in range(0, len(texts), 512)]
    )


def cic_lists(
    folder: Path, split: str, limit: int | None = None
) -> list[tuple[str, list[str], list[int]]]:
    """(query, candidate utterances, labels) with CIC train utterances as the FAQ bank."""
    train = list(_lines(folder / "dataclue_cic" / "train.json"))
    rows = list(_lines(folder / "dataclue_cic" / f"{split}.json"))[:limit]
    bank = [r["sentence"] for r in train]
    vectors = _embed(bank)
    queries = [r["sentence"] for r in rows]
    lists = _candidate_lists(queries, bank, vectors, _embed(queries))
    return [
        (
            r["sentence"],
            [bank[int(i)] for i in idx],
            [int(train[int(i)]["label"] == r["label"]) for i in idx],
        )
        for r, idx in zip(rows, lists, strict=True)
    ]


def afqmc_lists(folder: Path, limit: int | None = None) -> list[tuple[str, list[str], list[int]]]:
    """Paraphrase pairs of AFQMC dev: sentence2 asks, every dev sentence1 is the FAQ bank; the
    pair's own sentence1 is the right candidate."""
    rows = list(_lines(folder / "dataclue_afqmc" / "dev.json"))
    bank = list(dict.fromkeys(r["sentence1"] for r in rows))
    pairs = [r for r in rows if r["label"] == "1"][:limit]
    vectors = _embed(bank)
    queries = [r["sentence2"] for r in pairs]
    lists = _candidate_lists(queries, bank, vectors, _embed(queries))
    return [
        (
            r["sentence2"],
            [bank[int(i)] for i in idx],
            [int(bank[int(i)] == r["sentence1"]) for i in idx],
        )
        for r, idx in zip(pairs, lists, strict=True)
    ]


def cic_selective(
    folder: Path, split: str, limit: int | None = None, cache: Path | None = None
) -> None:
    """Print precision and coverage of answering CIC questions at the product threshold."""
    from copilot.answering.calibration import answer_model
    from copilot.answering.embedding import default_embed
    from copilot.answering.features import feature_matrix

    model, embed = answer_model(), default_embed()
    answered = right = total = 0
    lists = cached(cache, f"cic_{split}_{limit}", lambda: cic_lists(folder, split, limit))
    for query, candidates, labels in lists:
        x = feature_matrix(query, candidates, candidates, embed)
        p = model.probabilities(x)
        best = int(np.argmax(p))
        total += 1
        if p[best] >= model.threshold:
            answered += 1
            right += labels[best]
    precision = right / answered if answered else 0.0
    print(
        f"threshold {model.threshold:.2f}: precision {right}/{answered} = {precision:.3f}, "
        f"coverage {answered}/{total} = {answered / total:.3f}"
    )
