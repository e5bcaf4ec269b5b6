"""A campaign asks the knowledge base the same question for every customer: ask it once."""

from __future__ import annotations

import threading

from copilot.drafting.engine import Searcher
from copilot.retrieval.models import Hit, SearchFilters


class MemoSearcher:
    """Wraps a searcher; identical (query, k, filters) calls are answered from memory."""

    def __init__(self, inner: Searcher) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self._memo: dict[str, list[Hit]] = {}

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]:
        key = f"{k}\x00{query}\x00{filters.model_dump_json() if filters else ''}"
        with self._lock:
            if key not in self._memo:
                self._memo[key] = self.inner.search(query, k=k, filters=filters)
            return list(self._memo[key])
