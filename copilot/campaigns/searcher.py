"""A campaign asks the knowledge base the same few questions for thousands of customers: each
is searched once per revision of the knowledge base."""

from __future__ import annotations

import threading
from typing import Protocol

from copilot.drafting.engine import Searcher
from copilot.retrieval.models import Hit, SearchFilters


class Generational(Searcher, Protocol):
    """A searcher that names the revision its results come from (`Retriever`)."""

    def generation(self) -> str | None: ...


class MemoSearcher:
    """Wraps a searcher; identical (query, k, filters) calls are answered from memory while the
    knowledge base keeps its revision. Any ingest moves the revision on and the memory is
    dropped; while a write is under way every call is searched."""

    def __init__(self, inner: Generational) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self._memo: dict[str, list[Hit]] = {}
        self._generation: str | None = None

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]:
        generation = self.inner.generation()
        if generation is None:
            return self.inner.search(query, k=k, filters=filters)
        key = f"{k}\x00{query}\x00{filters.model_dump_json() if filters else ''}"
        with self._lock:
            if generation != self._generation:
                self._memo, self._generation = {}, generation
            if key not in self._memo:
                self._memo[key] = self.inner.search(query, k=k, filters=filters)
            return list(self._memo[key])
