from __future__ import annotations

from datetime import date

from copilot.answering.planning import extra_searches

TODAY = date(2026, 11, 26)


def _rule_queries(message: str) -> list[str]:
    return [
        s.query
        for s in extra_searches(message, "zh", TODAY)
        if s.filters.doc_types == ["faq", "policy"]
    ]


def test_a_product_named_with_a_shop_wide_matter_also_searches_the_shops_rule() -> None:
    queries = _rule_queries("奶粉几点发货")
    assert queries == ["几点发货"]  # the product's own FAQs crowd the dispatch rule out otherwise


def test_a_question_about_the_product_alone_searches_no_rule() -> None:
    assert _rule_queries("奶粉含DHA不") == []
    assert _rule_queries("几点发货") == []
