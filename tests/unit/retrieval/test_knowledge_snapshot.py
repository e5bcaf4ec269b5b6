"""Searching the knowledge snapshot instead of Chroma, and the revision marker that lets a reader
trust it without opening Chroma at all."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from copilot.config import Settings
from copilot.retrieval import Ingestor, Retriever, SearchFilters
from copilot.retrieval.models import Chunk, date_key
from copilot.retrieval.store import VectorStore, open_store
from tests.conftest import REPO

KNOWLEDGE = REPO / "knowledge"
QUERIES = ["退货运费谁承担", "满多少包邮", "奶粉保质期", "会员日有什么优惠", "shipping fee"]
NEW_TEXT = "磁力片玩具目前没有在售,预计明年三月上架。"


@pytest.fixture
def demo(ingestor: Ingestor, retriever: Retriever) -> Retriever:
    ingestor.ingest([KNOWLEDGE])
    return retriever


def _new_chunk() -> Chunk:
    return Chunk(id="new-chunk", text=NEW_TEXT, source="extra.md", doc_type="faq")


@pytest.mark.parametrize("query", QUERIES)
def test_snapshot_search_equals_chromas_order_and_scores(demo: Retriever, query: str) -> None:
    index = demo.snapshot()
    assert index.vectors is not None and len(index.ids) == demo.store.count() > 100
    vector = demo.store.embedder.embed_query([query])[0]
    everything = np.ones(len(index.ids), dtype=bool)
    exact = index.nearest(vector, 20, everything)
    chroma = demo.store.query(vector, 20, None)
    assert [i for i, _ in exact] == [i for i, _ in chroma]
    assert [s for _, s in exact] == pytest.approx([s for _, s in chroma], abs=1e-5)


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(doc_types=["promotion"], on=date(2026, 11, 26)),
        SearchFilters(language="en"),
        SearchFilters(doc_types=["faq", "policy"], language="zh"),
        SearchFilters(on=date(2026, 12, 18)),
    ],
)
def test_snapshot_search_keeps_to_the_filters_as_chroma_does(
    demo: Retriever, filters: SearchFilters
) -> None:
    index = demo.snapshot()
    mask = index.mask(filters, date_key(date.today()))
    assert 0 < mask.sum() < len(mask)
    vector = demo.store.embedder.embed_query(["优惠活动 包邮"])[0]
    exact = index.nearest(vector, 10, mask)
    assert exact and all(mask[index.position[i]] for i, _ in exact)
    snapshot_hits = [(h.id, h.vector_rank) for h in demo.search("优惠活动 包邮", 8, filters)]
    on_chroma = Retriever(demo.store, demo.settings, max_vector_bytes=0)
    chroma_hits = [(h.id, h.vector_rank) for h in on_chroma.search("优惠活动 包邮", 8, filters)]
    assert on_chroma.snapshot().vectors is None
    assert snapshot_hits == chroma_hits


def test_a_store_too_big_for_the_snapshot_searches_chroma(
    ingestor: Ingestor, fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingestor.ingest([KNOWLEDGE])
    cache = fake_settings.cache_dir / "snapshot"
    small = Retriever(ingestor.store, fake_settings.retrieval, cache, max_vector_bytes=1024)
    assert small.snapshot().vectors is None
    assert not list(cache.rglob("vectors.npy"))
    asked: list[int] = []
    query = VectorStore.query

    def counted(self: VectorStore, vector: np.ndarray, n: int, where: object) -> object:
        asked.append(n)
        return query(self, vector, n, where)  # type: ignore[arg-type]

    monkeypatch.setattr(VectorStore, "query", counted)
    hits = small.search("退货运费谁承担", 3)
    assert asked and hits and hits[0].vector_rank is not None


def test_commit_marks_the_revision_and_a_write_removes_the_mark_first(demo: Retriever) -> None:
    store = demo.store
    marker = store.marker_path
    assert marker is not None
    committed = json.loads(marker.read_text("utf-8"))
    assert committed == {
        "revision": store.revision(),
        "embedder": "siyu-fake",
        "count": store.collection.count(),
    }
    vectors = store.embedder.embed_documents([NEW_TEXT])
    store.add([_new_chunk()], vectors, {})
    assert not marker.exists()
    assert store.head() == (committed["revision"], False)  # from the collection now
    store.commit()
    after = json.loads(marker.read_text("utf-8"))
    assert after["revision"] != committed["revision"] and after["count"] == committed["count"] + 1
    assert store.head() == (after["revision"], True)


def test_a_reader_after_a_killed_write_searches_what_chroma_holds(
    demo: Retriever, fake_settings: Settings
) -> None:
    assert NEW_TEXT not in [h.text for h in demo.search(NEW_TEXT, 3)]  # snapshot saved
    writer = open_store(fake_settings)
    writer.add([_new_chunk()], writer.embedder.embed_documents([NEW_TEXT]), {})
    del writer  # killed before commit: the marker is gone, the flag stays
    reader = Retriever(
        open_store(fake_settings), fake_settings.retrieval, fake_settings.cache_dir / "snapshot"
    )
    hits = {h.text: h for h in reader.search(NEW_TEXT, 40)}
    assert hits[NEW_TEXT].vector_rank == 1 and hits[NEW_TEXT].keyword_rank is None
    assert reader.store.interrupted()


def test_a_snapshot_read_during_a_write_is_not_kept(
    demo: Retriever, fake_settings: Settings
) -> None:
    cache = fake_settings.cache_dir / "snapshot"
    assert demo.search("退货", 1)
    writer = open_store(fake_settings)
    writer.add([_new_chunk()], writer.embedder.embed_documents([NEW_TEXT]), {})
    for slot in cache.iterdir():
        for part in sorted(slot.rglob("*"), reverse=True):
            part.unlink() if part.is_file() else part.rmdir()
        slot.rmdir()
    reader = Retriever(open_store(fake_settings), fake_settings.retrieval, cache)
    assert NEW_TEXT in reader.snapshot().texts
    assert not list(cache.rglob("*.json"))  # the revision's data is moving: nothing kept for it
    writer.commit()
    reader.refresh()
    assert NEW_TEXT in reader.snapshot().texts
    assert len(list(cache.rglob("vectors.npy"))) == 1  # committed: kept


CHILD = """
import json, sys
from copilot.app import Copilot
from copilot.config import Settings
from copilot.drafting import ReplyRequest

app = Copilot.from_settings(Settings(home=sys.argv[1], embedding={"provider": "fake"}))
app.ensure_knowledge(warm=False)
result = app.drafter.reply(ReplyRequest(message=sys.argv[2]))
hits = app.retriever.search(sys.argv[2], 5)
print(json.dumps({
    "chromadb": "chromadb" in sys.modules,
    "drafts": [d.text for d in result.drafts],
    "hits": [[h.id, round(h.score, 6)] for h in hits],
}))
"""


def _cold(home: Path, question: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(home), question],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"SIYU_LANGUAGE": "zh", "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_a_cold_reply_reads_the_snapshot_without_loading_chroma(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, embedding={"provider": "fake"})
    question = "满多少包邮?不满的话运费多少?"
    first = _cold(tmp_path, question)  # ingests the knowledge base, saves the snapshot
    assert first["chromadb"] and first["hits"]
    cold = _cold(tmp_path, question)
    assert not cold["chromadb"]
    store = open_store(settings)
    assert store.marker_path is not None
    store.marker_path.unlink()  # as after a write: the reader must ask Chroma
    full = _cold(tmp_path, question)
    assert full["chromadb"]
    assert cold["drafts"] == full["drafts"] == first["drafts"]
    assert cold["hits"] == full["hits"]
