"""A retriever that returns the same passages whatever the query: for probes and tests that
draft from known evidence without a store."""

from __future__ import annotations

from collections.abc import Sequence

from copilot.retrieval.models import Hit, SearchFilters


class FixedRetriever:
    """Always `hits` (at most k of them), whatever the query and filters."""

    def __init__(self, hits: Sequence[Hit]) -> None:
        self.hits = list(hits)

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]:
        return self.hits[:k]
