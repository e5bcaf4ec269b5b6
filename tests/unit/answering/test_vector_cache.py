from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from copilot.answering import embedding
from copilot.answering.vector_cache import VectorCache
from copilot.config import Settings
from copilot.retrieval.embedder import FakeEmbedding

TEXTS = ["纸尿裤尺码怎么选？", "满99元包邮。", "How do I return an item?"]


@pytest.fixture
def fresh_embed(fake_settings: Settings) -> Iterator[None]:
    embedding.default_embed.cache_clear()
    yield
    embedding.default_embed.cache_clear()


def test_a_new_process_reuses_the_vectors_and_gets_the_same_ones(
    fresh_embed: None, fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = embedding.default_embed()(TEXTS)
    embedding.default_embed.cache_clear()  # as a new process would start
    calls: list[list[str]] = []
    real = FakeEmbedding.embed_documents

    def counted(self: FakeEmbedding, texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return real(self, texts)

    monkeypatch.setattr(FakeEmbedding, "embed_documents", counted)
    again = embedding.default_embed()([*TEXTS, "新问题"])
    assert calls[1:] == [["新问题"]]  # calls[0] is the probe check
    assert again.dtype == first.dtype and np.array_equal(again[:3], first)
    assert len(list((fake_settings.cache_dir / "answer-vectors").glob("*.npz"))) == 1


def _saved(path: Path, probe: np.ndarray) -> VectorCache:
    cache = VectorCache(path, probe)
    cache.update([("满99元包邮。", np.ones(4))])
    cache.save()
    return cache


def test_vectors_of_another_model_are_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "v.npz"
    _saved(path, np.ones(4, dtype=np.float32))
    assert "满99元包邮。" in VectorCache(path, np.ones(4, dtype=np.float32))
    assert len(VectorCache(path, np.full(4, 0.5, dtype=np.float32))) == 0


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_an_unreadable_file_is_ignored_and_rewritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "v.npz"
    path.write_bytes(content)
    probe = np.ones(4, dtype=np.float32)
    assert len(VectorCache(path, probe)) == 0
    _saved(path, probe)
    assert len(VectorCache(path, probe)) == 1


def test_a_file_holding_python_objects_is_never_unpickled(tmp_path: Path) -> None:
    path = tmp_path / "v.npz"
    probe = np.ones(4, dtype=np.float32)
    objects = np.array([object()], dtype=object)
    with path.open("wb") as out:
        np.savez(out, keys=objects, vectors=objects, probe=probe)
    assert len(VectorCache(path, probe)) == 0
