"""An embedded store whose vector index an interrupted write damaged is rebuilt on open."""

from __future__ import annotations

import shutil
from pathlib import Path

from chromadb.api.client import SharedSystemClient

from copilot.config import Settings
from copilot.retrieval import Ingestor, Retriever
from copilot.retrieval.chroma import make_client, new_collection
from copilot.retrieval.repair import STAGING_SUFFIX
from copilot.retrieval.store import VectorStore, open_store


def _contents(store: VectorStore) -> dict[str, tuple[str, dict]]:
    docs = store.documents()
    return {i: (t, m) for i, t, m in zip(docs.ids, docs.texts, docs.metas, strict=True)}


def _filled(settings: Settings, tmp_path: Path, rows: int) -> VectorStore:
    kb = tmp_path / "kb"
    kb.mkdir()
    lines = ["question,answer"] + [f"订单{i}怎么退货?,退货编号{i}" for i in range(rows)]
    (kb / "faq.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = open_store(settings)
    Ingestor(store, settings.retrieval, batch_size=256).ingest([kb])
    return store


def _reopen(settings: Settings) -> VectorStore:
    SharedSystemClient.clear_system_cache()  # as a new process would see the files
    return open_store(settings)


def test_a_store_with_its_vector_files_gone_is_rebuilt_exactly(
    fake_settings: Settings, tmp_path: Path
) -> None:
    # Over Chroma's sync threshold (1,000), so the index is persisted and the log purged.
    store = _filled(fake_settings, tmp_path, 1_500)
    before, revision = _contents(store), store.revision()
    segments = [p for p in fake_settings.chroma_dir.iterdir() if p.is_dir()]
    assert segments
    SharedSystemClient.clear_system_cache()
    for segment in segments:
        shutil.rmtree(segment)
    reopened = _reopen(fake_settings)
    assert reopened.repaired == 1_500
    assert _contents(reopened) == before
    assert reopened.revision() != revision  # derived keyword caches rebuild
    hits = Retriever(reopened, fake_settings.retrieval).search("订单1234怎么退货", k=1)
    assert hits and "退货编号1234" in hits[0].text
    assert [c.name for c in reopened.client.list_collections()] == [reopened.name]
    assert _reopen(fake_settings).repaired == 0  # healthy now


def test_an_interrupted_repair_is_redone(fake_settings: Settings, tmp_path: Path) -> None:
    store = _filled(fake_settings, tmp_path, 20)
    before = _contents(store)
    new_collection(store.client, store.name + STAGING_SUFFIX, store.embedder)  # half-done
    reopened = _reopen(fake_settings)
    assert reopened.repaired == 20 and _contents(reopened) == before
    assert [c.name for c in reopened.client.list_collections()] == [reopened.name]


def test_a_repair_killed_after_dropping_the_old_collection_is_finished(
    fake_settings: Settings, tmp_path: Path
) -> None:
    store = _filled(fake_settings, tmp_path, 20)
    before = _contents(store)
    client = make_client(None, fake_settings.chroma_dir)
    staging = new_collection(client, store.name + STAGING_SUFFIX, store.embedder)
    old = client.get_collection(store.name)
    got = old.get(include=["documents", "metadatas", "embeddings"])
    staging.add(
        ids=got["ids"],
        documents=got["documents"],
        metadatas=got["metadatas"],
        embeddings=got["embeddings"],
    )
    client.delete_collection(store.name)
    reopened = _reopen(fake_settings)
    assert reopened.repaired == 0 and _contents(reopened) == before
    assert [c.name for c in reopened.client.list_collections()] == [reopened.name]
