from __future__ import annotations

import threading
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
    embedding.default_embed().flush()  # as the process does when it exits
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


def test_the_file_is_rewritten_every_batch_of_new_vectors_not_every_call(
    fresh_embed: None, fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedding, "SAVE_EVERY", 4)
    saves: list[int] = []
    real = VectorCache.save
    monkeypatch.setattr(VectorCache, "save", lambda self: (saves.append(len(self)), real(self)))
    embed = embedding.default_embed()
    for i in range(9):
        embed([f"客户问题{i}"])
    assert saves == [4, 8]
    embed.flush()
    embed.flush()  # nothing new: no second write
    assert saves == [4, 8, 9]


def test_replies_on_many_threads_get_their_own_vectors(
    fresh_embed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedding, "CACHE_TEXTS", 16)  # clears while other threads read
    monkeypatch.setattr(embedding, "SAVE_EVERY", 8)
    embed = embedding.default_embed()
    expected = {t: embed([t])[0] for t in (f"问题{i}" for i in range(40))}
    problems: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for round_ in range(30):
                texts = [f"问题{(offset + round_ + k) % 40}" for k in range(3)]
                got = embed(texts)
                for text, vector in zip(texts, got, strict=True):
                    assert np.allclose(vector, expected[text])
        except BaseException as exc:  # reported by the main thread
            problems.append(exc)

    threads = [threading.Thread(target=work, args=(n * 7,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
