from __future__ import annotations

from copilot.retrieval.fixed import FixedRetriever
from copilot.retrieval.models import Hit, SearchFilters


def hit(n: int) -> Hit:
    return Hit(id=f"h{n}", source="kb.md", doc_type="faq", score=1.0, text=f"passage {n}")


def test_the_same_passages_whatever_the_query_at_most_k() -> None:
    retriever = FixedRetriever([hit(1), hit(2), hit(3)])
    assert [h.id for h in retriever.search("任何问题")] == ["h1", "h2", "h3"]
    assert [h.id for h in retriever.search("other", k=2, filters=SearchFilters())] == ["h1", "h2"]
