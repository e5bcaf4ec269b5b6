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


def _intents(folder: Path) -> dict[str, str]:
    """CIC train utterance → its intent (the first, for the few utterances listed twice)."""
    out: dict[str, str] = {}
    for row in _lines(folder / "dataclue_cic" / "train.json"):
        out.setdefault(row["sentence"], row["label"])
    return out


def cic_answers(lists: Lists, intents: dict[str, str]) -> list[tuple[float, bool]]:
    """Per CIC question, (P of the most probable intent, whether it is the question's intent).

    As the reply adds up candidates stating the same values, an intent's P is the sum over its
    utterances among the candidates (8 candidates often hold 3–5 utterances of one intent)."""
    from copilot.answering.calibration import answer_model
    from copilot.answering.embedding import default_embed
    from copilot.answering.features import feature_matrix

    model, embed = answer_model(), default_embed()
    out = []
    for query, candidates, labels in lists:
        p = model.probabilities(feature_matrix(query, candidates, candidates, embed))
        groups: dict[str, list[int]] = {}
        for i, candidate in enumerate(candidates):
            groups.setdefault(intents[candidate], []).append(i)
        best = max(groups.values(), key=lambda idx: float(p[idx].sum()))
        out.append((float(p[best].sum()), bool(labels[best[0]])))
    return out


def selective(answers: list[tuple[float, bool]], threshold: float) -> tuple[int, int]:
    """(answered, right) at a threshold."""
    kept = [ok for p, ok in answers if p >= threshold]
    return len(kept), sum(kept)


def cic_threshold(answers: list[tuple[float, bool]], target: float = 0.95) -> tuple[float, bool]:
    """The lowest threshold whose precision reaches `target` with at least 10 answers (True), or
    else the one with the highest precision (False)."""
    grid = [round(t, 2) for t in np.arange(0.30, 1.0, 0.01)]
    rated = []
    for t in grid:
        answered, right = selective(answers, t)
        if answered >= 10:
            rated.append((right / answered, t))
    reached = [t for precision, t in rated if precision >= target]
    if reached:
        return min(reached), True
    return max(rated)[1], False


def cic_selective(
    folder: Path,
    split: str,
    limit: int | None = None,
    cache: Path | None = None,
    dev_limit: int | None = 400,
) -> None:
    """Print precision and coverage of answering CIC questions at the product's reply threshold
    and at a threshold chosen on CIC dev for 0.95 precision."""
    from copilot.answering.calibration import answer_model

    intents = _intents(folder)
    test = cic_answers(
        cached(cache, f"cic_{split}_{limit}", lambda: cic_lists(folder, split, limit)), intents
    )
    dev = cic_answers(
        cached(cache, f"cic_dev_{dev_limit}", lambda: cic_lists(folder, "dev", dev_limit)),
        intents,
    )
    chosen, reached = cic_threshold(dev)
    dev_answered, dev_right = selective(dev, chosen)
    rows = [("reply threshold", answer_model().threshold), ("CIC dev threshold", chosen)]
    for name, t in rows:
        answered, right = selective(test, t)
        precision = right / answered if answered else 0.0
        print(
            f"{name} {t:.2f}: precision {right}/{answered} = {precision:.3f}, "
            f"coverage {answered}/{len(test)} = {answered / len(test):.3f}"
        )
    print(
        f"  (chosen on CIC dev, {len(dev)} questions: precision {dev_right}/{dev_answered} = "
        f"{dev_right / dev_answered:.3f}; 0.95 {'reached' if reached else 'not reached on dev'})"
    )
