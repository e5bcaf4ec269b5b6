"""The one FAQ passage the drafting integration tests retrieve."""

from __future__ import annotations

from copilot.retrieval.models import Hit

FAQ = Hit(
    id="faq-1",
    source="knowledge/faq.csv",
    doc_type="faq",
    score=1.0,
    vector_score=0.8,
    keyword_rank=1,
    citation="K1",
    text="问:退货运费谁承担?\n答:因质量问题产生的退换货,运费由小禾家承担。",
)
