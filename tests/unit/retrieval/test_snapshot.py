"""The knowledge snapshot: exact vector search, and a cache under SIYU_HOME that is data only
(never unpickled, rebuilt when bad)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from copilot.retrieval.snapshot import Snapshot
from copilot.retrieval.store import Documents

IDS = ["a", "b", "c"]
TEXTS = ["退货运费由谁承担", "会员日每月18日", "奶粉保质期24个月"]
METAS: list[dict[str, object]] = [
    {"doc_type": "faq", "valid_from": 0, "valid_to": 99991231, "row": 2},
    {"doc_type": "policy", "valid_from": 20260101, "valid_to": 99991231, "row": -1},
    {"doc_type": "product", "sku": "A1,B2", "language": "zh", "valid_to": 20261231},
]
# Not normalised, so the snapshot's own normalising is tested too.
VECTORS = np.array([[3.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 2.0]], dtype=np.float32)


class _Payload:
    """Unpickling this creates `marker`: proof that a cache file was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (open, (str(self.marker), "w"))


def _built(revision: str = "rev-1", vectors: np.ndarray | None = VECTORS) -> Snapshot:
    documents = Documents(list(IDS), list(TEXTS), [dict(m) for m in METAS], vectors)
    return Snapshot.build(revision, documents)


def _search(index: Snapshot, query: str) -> list[str]:
    return [i for i, _ in index.search(query, 3, np.ones(len(index.ids), dtype=bool))]


def test_cache_round_trip_without_pickle(tmp_path: Path) -> None:
    index = _built()
    index.save(tmp_path)
    loaded = Snapshot.load(tmp_path, "rev-1")
    assert loaded is not None
    assert (loaded.ids, loaded.texts, loaded.metas) == (index.ids, index.texts, index.metas)
    assert loaded.vectors is not None and index.vectors is not None
    assert np.array_equal(loaded.vectors, index.vectors)
    assert _search(loaded, "会员日") == _search(index, "会员日") == ["b"]
    for name, column in index.columns.items():
        assert np.array_equal(loaded.columns[name], column)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files and all(p.suffix in (".json", ".npy") for p in files)
    for npy in tmp_path.rglob("*.npy"):
        np.load(npy, allow_pickle=False)  # raises if any array needed pickle


def test_a_new_revision_replaces_the_old_cache(tmp_path: Path) -> None:
    _built("rev-1").save(tmp_path)
    _built("rev-2").save(tmp_path)
    assert Snapshot.load(tmp_path, "rev-1") is None
    assert Snapshot.load(tmp_path, "rev-2") is not None
    assert len([p for p in tmp_path.iterdir()]) == 1


def test_an_empty_snapshot_round_trips(tmp_path: Path) -> None:
    Snapshot.build("rev-0", Documents(vectors=np.zeros((0, 0), np.float32))).save(tmp_path)
    loaded = Snapshot.load(tmp_path, "rev-0")
    assert loaded is not None and loaded.ids == [] and loaded.bm25 is None
    assert loaded.vectors is not None and loaded.nearest(np.ones(3), 5, np.ones(0, bool)) == []


def test_a_snapshot_without_vectors_round_trips_without_them(tmp_path: Path) -> None:
    _built(vectors=None).save(tmp_path)
    loaded = Snapshot.load(tmp_path, "rev-1")
    assert loaded is not None and loaded.vectors is None and _search(loaded, "会员日") == ["b"]
    assert not list(tmp_path.rglob("vectors.npy"))
    with pytest.raises(ValueError, match="no vectors"):
        loaded.nearest(np.ones(3), 1, np.ones(3, bool))


def test_nearest_is_exact_cosine_best_first_within_the_mask() -> None:
    index = _built()
    query = np.array([1.0, 0.2, 0.0], dtype=np.float32)
    query /= np.linalg.norm(query)
    everything = index.nearest(query, 5, np.ones(3, bool))
    assert [i for i, _ in everything] == ["a", "b", "c"]
    expected = (VECTORS / np.linalg.norm(VECTORS, axis=1, keepdims=True)) @ query
    assert [s for _, s in everything] == pytest.approx(expected.tolist(), abs=1e-6)
    assert index.nearest(query, 1, np.ones(3, bool)) == everything[:1]
    masked = index.nearest(query, 5, np.array([False, True, True]))
    assert [i for i, _ in masked] == ["b", "c"]
    assert index.nearest(query, 5, np.zeros(3, bool)) == []


def test_equal_scores_rank_in_snapshot_order() -> None:
    same = np.ones((3, 2), dtype=np.float32)
    index = Snapshot.build("rev-1", Documents(list(IDS), list(TEXTS), list(METAS), same))
    assert [i for i, _ in index.nearest(np.ones(2), 3, np.ones(3, bool))] == ["a", "b", "c"]


def _slot(tmp_path: Path) -> Path:
    (slot,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    return slot


@pytest.mark.parametrize(
    "damage",
    [
        "snapshot_garbage",
        "snapshot_pickle",
        "snapshot_extra_field",
        "snapshot_wrong_lengths",
        "npy_pickled_objects",
        "npy_truncated",
        "params_foreign",
        "bm25_missing",
        "vectors_missing",
        "vectors_pickled_objects",
        "vectors_wrong_rows",
        "vectors_wrong_dtype",
    ],
)
def test_a_corrupt_or_foreign_cache_is_ignored_never_executed(tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    _built().save(cache)
    slot = _slot(cache)
    marker = tmp_path / "executed"
    evil = pickle.dumps(_Payload(marker))
    snapshot = slot / "snapshot.json"
    data = slot / "bm25" / "data.csc.index.npy"
    vectors = slot / "vectors.npy"
    if damage == "snapshot_garbage":
        snapshot.write_bytes(b"\x00\xffnot json")
    elif damage == "snapshot_pickle":
        snapshot.write_bytes(evil)
    elif damage == "snapshot_extra_field":
        snapshot.write_text(snapshot.read_text()[:-1] + ', "code": "import os"}')
    elif damage == "snapshot_wrong_lengths":
        snapshot.write_text(snapshot.read_text().replace('"ids":["a","b","c"]', '"ids":["a"]'))
    elif damage == "npy_pickled_objects":
        np.save(data, np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    elif damage == "npy_truncated":
        data.write_bytes(data.read_bytes()[:20])
    elif damage == "params_foreign":
        (slot / "bm25" / "params.index.json").write_text('{"__class__": "os.system"}')
    elif damage == "bm25_missing":
        for part in (slot / "bm25").iterdir():
            part.unlink()
    elif damage == "vectors_missing":
        vectors.unlink()
    elif damage == "vectors_pickled_objects":
        np.save(vectors, np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    elif damage == "vectors_wrong_rows":
        np.save(vectors, VECTORS[:2])
    elif damage == "vectors_wrong_dtype":
        np.save(vectors, VECTORS.astype(np.float64))
    assert Snapshot.load(cache, "rev-1") is None
    assert not marker.exists()
