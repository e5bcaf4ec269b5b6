"""A campaign's searches are remembered per revision of the knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.campaigns.searcher import MemoSearcher
from copilot.retrieval import Ingestor, Retriever, SearchFilters
from copilot.retrieval.models import Hit
from tests.conftest import REPO


@pytest.fixture
def searched(ingestor: Ingestor, retriever: Retriever, monkeypatch) -> list[str]:
    """The queries that reached the retriever."""
    ingestor.ingest([REPO / "knowledge" / "faq.csv"])
    calls: list[str] = []
    search = retriever.search

    def counted(query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]:
        calls.append(query)
        return search(query, k, filters)

    monkeypatch.setattr(retriever, "search", counted)
    return calls


def test_an_identical_search_is_answered_from_memory(
    retriever: Retriever, searched: list[str]
) -> None:
    memo = MemoSearcher(retriever)
    first = memo.search("退货运费谁承担", k=3)
    again = memo.search("退货运费谁承担", k=3)
    memo.search("退货运费谁承担", k=2)
    assert first and again == first
    assert searched == ["退货运费谁承担", "退货运费谁承担"]  # k=3 once, then k=2


def test_an_ingest_is_searched_afresh(
    retriever: Retriever, ingestor: Ingestor, searched: list[str], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr("copilot.retrieval.retriever._FRESHNESS_TTL_S", 0.0)
    memo = MemoSearcher(retriever)
    assert not any("磁力片" in h.text for h in memo.search("磁力片玩具", k=3))
    extra = tmp_path / "extra_faq.csv"
    extra.write_text(
        "question,answer\n有磁力片玩具吗?,目前没有磁力片玩具在售。\n", encoding="utf-8"
    )
    ingestor.ingest([extra])
    assert "磁力片" in memo.search("磁力片玩具", k=3)[0].text
    assert searched == ["磁力片玩具", "磁力片玩具"]


def test_nothing_is_remembered_while_a_write_is_under_way(
    retriever: Retriever, searched: list[str], monkeypatch
) -> None:
    monkeypatch.setattr(retriever, "generation", lambda: None)
    memo = MemoSearcher(retriever)
    memo.search("积分", k=1)
    memo.search("积分", k=1)
    assert searched == ["积分", "积分"]
