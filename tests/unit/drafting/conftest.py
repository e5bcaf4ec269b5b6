"""Drafting fixtures: an in-memory retriever over a few demo passages, and drafter factories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from copilot.config import Settings
from copilot.drafting import Drafter
from copilot.llm.backend import Backend
from copilot.llm.template import TemplateBackend
from copilot.retrieval.models import Hit, SearchFilters

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

PASSAGES = [
    Hit(
        id="faq-1",
        text="问:退货运费谁承担?\n答:因质量问题产生的退换货,运费由小禾家承担。七天无理由退货的寄回运费由顾客承担。",
        source="knowledge/faq.csv",
        doc_type="faq",
        score=1.0,
        vector_score=0.8,
        keyword_rank=1,
    ),
    Hit(
        id="prod-1",
        text="商品:小禾家婴儿配方奶粉1段\n价格:268元\n规格:800g/罐\n冲调水温40–50℃,开罐后4周内用完。",
        source="knowledge/products.csv",
        doc_type="product",
        score=0.9,
        vector_score=0.7,
        keyword_rank=2,
    ),
    Hit(
        id="promo-1",
        text="会员日:每月18日全场满199减30,积分双倍。",
        source="knowledge/promotions.jsonl",
        doc_type="promotion",
        score=0.8,
        vector_score=0.6,
        keyword_rank=3,
    ),
]


class FakeRetriever:
    """Returns passages whose keyword appears in the query; records queries and filters."""

    def __init__(self, hits: list[Hit] | None = None, *, relevant: bool = True) -> None:
        self.hits = PASSAGES if hits is None else hits
        self.relevant = relevant
        self.queries: list[tuple[str, SearchFilters | None]] = []

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]:
        self.queries.append((query, filters))
        hits = self.hits[:k]
        if not self.relevant:
            hits = [h.model_copy(update={"vector_score": 0.1, "keyword_rank": None}) for h in hits]
        return [h.model_copy(update={"citation": f"K{i}"}) for i, h in enumerate(hits, start=1)]


MakeDrafter = Callable[..., Drafter]


@pytest.fixture
def make_drafter() -> MakeDrafter:
    def make(
        backend: Backend | None = None, retriever: FakeRetriever | None = None, **env: object
    ) -> Drafter:
        settings = Settings(**env)  # type: ignore[arg-type]
        return Drafter.from_settings(
            settings,
            backend=backend or TemplateBackend(),
            retriever=retriever or FakeRetriever(),
            clock=lambda: NOW,
        )

    return make
