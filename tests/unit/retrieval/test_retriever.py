from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import pytest

from copilot.config import EmbeddingSettings, Settings
from copilot.errors import StoreError
from copilot.retrieval import Ingestor, Retriever, SearchFilters
from copilot.retrieval.embedder import Usem3Embedding
from copilot.retrieval.snapshot import Snapshot
from copilot.retrieval.store import VectorStore, open_store
from tests.conftest import REPO

KNOWLEDGE = REPO / "knowledge"


@pytest.fixture
def demo(ingestor: Ingestor, retriever: Retriever) -> Retriever:
    ingestor.ingest([KNOWLEDGE])
    return retriever


def test_hits_carry_citation_source_heading_and_scores(demo: Retriever) -> None:
    hits = demo.search("退货运费谁承担", k=3)
    assert [h.citation for h in hits] == ["K1", "K2", "K3"]
    top = hits[0]
    assert "运费" in top.text and top.source.startswith("knowledge/")
    assert top.score > 0 and (top.vector_rank or top.keyword_rank)
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_doc_type_and_language_filters(demo: Retriever) -> None:
    hits = demo.search("奶粉", k=5, filters=SearchFilters(doc_types=["product"]))
    assert hits and {h.doc_type for h in hits} == {"product"}
    english = demo.search("return shipping", k=5, filters=SearchFilters(language="en"))
    assert english and {h.metadata["language"] for h in english} == {"en"}


def test_sku_filter_matches_comma_joined_sku_lists(demo: Retriever) -> None:
    hits = demo.search(
        "奶粉优惠", k=10, filters=SearchFilters(sku="XH-MF-01", include_expired=True)
    )
    assert hits and all("XH-MF-01" in h.metadata["sku"].split(",") for h in hits)


@pytest.mark.parametrize(
    ("on", "titles"),
    [
        (date(2026, 11, 26), {"冬季囤货节", "新人首单礼", "小禾体验官招募"}),
        (date(2026, 11, 5), {"双十一囤货狂欢", "新人首单礼"}),
        (date(2026, 12, 18), {"12月会员日", "新人首单礼"}),
    ],
)
def test_promotions_only_when_valid_on_the_date(
    demo: Retriever, on: date, titles: set[str]
) -> None:
    hits = demo.search(
        "现在有什么优惠活动 满减", k=10, filters=SearchFilters(doc_types=["promotion"], on=on)
    )
    assert {h.heading for h in hits} == titles


def test_expired_promotions_come_back_only_when_asked(demo: Retriever) -> None:
    everything = demo.search(
        "双十一 买3送1",
        k=20,
        filters=SearchFilters(doc_types=["promotion"], on=date(2026, 11, 26), include_expired=True),
    )
    current = demo.search(
        "双十一 买3送1", k=20, filters=SearchFilters(doc_types=["promotion"], on=date(2026, 11, 26))
    )
    assert len(everything) > len(current)
    assert all(h.metadata["valid_to"] >= 20261126 for h in current)


def test_keyword_index_follows_store_writes(
    demo: Retriever, ingestor: Ingestor, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr("copilot.retrieval.retriever._FRESHNESS_TTL_S", 0.0)
    assert not any("磁力片" in h.text for h in demo.search("磁力片玩具", k=3))
    extra = tmp_path / "extra_faq.csv"
    extra.write_text(
        "question,answer\n有磁力片玩具吗?,目前没有磁力片玩具在售。\n", encoding="utf-8"
    )
    ingestor.ingest([extra])
    hits = demo.search("磁力片玩具", k=3)
    assert "磁力片" in hits[0].text and hits[0].keyword_rank == 1


def test_keyword_index_is_cached_per_revision(demo: Retriever, fake_settings: Settings) -> None:
    demo.search("积分", k=1)
    cached = fake_settings.cache_dir / "snapshot" / demo.store.name
    assert [p.name for p in cached.glob("*/snapshot.json")] == ["snapshot.json"]
    fresh = Retriever(demo.store, fake_settings.retrieval, fake_settings.cache_dir / "snapshot")
    assert fresh.snapshot().revision == demo.store.revision()


@pytest.mark.parametrize("marked", [False, True])
def test_store_refuses_another_embedder(
    store: VectorStore, fake_settings: Settings, marked: bool
) -> None:
    """Refused on the collection, and on the revision marker beside it."""
    store.open()
    assert store.marker_path is not None and store.marker_path.exists()
    if not marked:
        store.marker_path.unlink()
    other = open_store(fake_settings.model_copy(update={"embedding": EmbeddingSettings()}))
    assert other.embedder.name() == Usem3Embedding.name()
    with pytest.raises(StoreError, match="siyu-fake") as info:
        other.revision()
    assert "built with siyu-fake" in info.value.render("en")
    assert "SIYU_EMBEDDING_PROVIDER back to fake" in info.value.render("en")
    assert "SIYU_EMBEDDING_PROVIDER 改回 fake" in info.value.render("zh")


@pytest.mark.parametrize("query", ["", "   ", "?!", "……", "\u200b"])
def test_queries_without_words_return_nothing(demo: Retriever, query: str) -> None:
    assert demo.search(query) == []


def test_empty_store_returns_nothing(retriever: Retriever) -> None:
    assert retriever.search("退货") == []


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("现在有什么优惠活动 满减", SearchFilters(on=date(2026, 11, 26))),
        ("双十一 买3送1", SearchFilters(doc_types=["promotion"], on=date(2026, 11, 26))),
        ("会员日", SearchFilters(on=date(2026, 12, 18))),
        ("shipping fee", SearchFilters(language="en")),
    ],
)
def test_unfiltered_vector_query_matches_the_filtered_one(
    demo: Retriever, monkeypatch: pytest.MonkeyPatch, query: str, filters: SearchFilters
) -> None:
    """Dropping excluded chunks after an unfiltered query gives Chroma's filtered answer."""
    demo.max_vector_bytes = 0  # a store too big for vectors in its snapshot
    fast = [(h.id, h.vector_rank, h.keyword_rank) for h in demo.search(query, k=8, filters=filters)]
    monkeypatch.setattr("copilot.retrieval.retriever.UNFILTERED_EXCLUDED_FACTOR", -1)
    exact = [
        (h.id, h.vector_rank, h.keyword_rank) for h in demo.search(query, k=8, filters=filters)
    ]
    assert fast == exact and fast


def test_a_corrupt_keyword_cache_is_rebuilt(demo: Retriever, fake_settings: Settings) -> None:
    expected = [h.id for h in demo.search("积分", k=3)]
    cache = fake_settings.cache_dir / "snapshot" / demo.store.name
    for snapshot in cache.glob("*/snapshot.json"):
        snapshot.write_bytes(b"garbage")
    fresh = Retriever(demo.store, fake_settings.retrieval, fake_settings.cache_dir / "snapshot")
    assert [h.id for h in fresh.search("积分", k=3)] == expected
    assert Snapshot.load(cache, demo.store.revision()) is not None  # rewritten


class _Payload:
    """Unpickling this creates `marker`: proof that a cache file was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (open, (str(self.marker), "w"))


def test_a_pickle_planted_in_the_cache_is_never_executed(
    ingestor: Ingestor, fake_settings: Settings, tmp_path: Path
) -> None:
    ingestor.ingest([KNOWLEDGE])
    marker = tmp_path / "executed"
    cache = fake_settings.cache_dir / "snapshot"
    cache.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(_Payload(marker))
    name = ingestor.store.name
    (cache / f"{name}.pkl").write_bytes(payload)  # where older versions kept a pickle
    retriever = Retriever(ingestor.store, fake_settings.retrieval, cache)
    assert retriever.search("积分", k=1)
    for snapshot in (cache / name).glob("*/snapshot.json"):
        snapshot.write_bytes(payload)
    again = Retriever(ingestor.store, fake_settings.retrieval, cache)
    assert again.search("积分", k=1)
    assert not marker.exists()
