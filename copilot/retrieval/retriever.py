"""Hybrid retrieval: Chroma vectors + BM25 keywords, fused by weighted reciprocal rank fusion."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

from copilot.config import RetrievalSettings, Settings
from copilot.retrieval.keyword import KeywordIndex
from copilot.retrieval.models import Hit, SearchFilters, date_key
from copilot.retrieval.store import VectorStore, open_store
from copilot.retrieval.text import normalise_query

_FRESHNESS_TTL_S = 2.0


class Retriever:
    """Search the knowledge base; safe to share between threads."""

    def __init__(
        self, store: VectorStore, settings: RetrievalSettings, cache_dir: Any = None
    ) -> None:
        self.store, self.settings, self.cache_dir = store, settings, cache_dir
        self._index = KeywordIndex()
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Retriever:
        return cls(open_store(settings), settings.retrieval, settings.cache_dir / "keyword")

    def keyword_index(self) -> KeywordIndex:
        """The BM25 index for the store's current revision (rebuilt or loaded when stale)."""
        now = time.monotonic()
        if self._index.revision and now - self._checked_at < _FRESHNESS_TTL_S:
            return self._index
        with self._lock:
            revision = self.store.revision()
            self._checked_at = now
            if revision != self._index.revision:
                self._index = self._load_or_build(revision)
        return self._index

    def refresh(self) -> None:
        """Re-read the store revision on the next search (after a write by this process)."""
        self._checked_at = 0.0

    def _load_or_build(self, revision: str) -> KeywordIndex:
        path = self.cache_dir / f"{self.store.name}.pkl" if self.cache_dir else None
        cached = KeywordIndex.load(path, revision) if path else None
        if cached is not None:
            return cached
        index = KeywordIndex.build(revision, *self.store.all_documents())
        if path:
            index.save(path)
        return index

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]:
        """The `k` best passages for `query`, each with score, source and a citation id."""
        filters = filters or SearchFilters()
        query = normalise_query(query)
        if k <= 0 or not any(ch.isalnum() for ch in query):
            return []
        index = self.keyword_index()
        today = date_key(date.today())
        n = max(self.settings.candidates, k)
        vector = self.store.embedder.embed_query([query])[0]
        vector_hits = self.store.query(vector, n, _chroma_where(filters, today))
        keyword_hits = index.search(query, n, index.mask(filters, today))
        return self._fuse(vector_hits, keyword_hits, index, filters, k)

    def _fuse(
        self,
        vector_hits: list[tuple[str, float]],
        keyword_hits: list[tuple[str, float]],
        index: KeywordIndex,
        filters: SearchFilters,
        k: int,
    ) -> list[Hit]:
        s = self.settings
        fused: dict[str, dict[str, Any]] = {}
        for rank, (chunk_id, score) in enumerate(vector_hits, start=1):
            entry = fused.setdefault(chunk_id, {"score": 0.0})
            entry.update(vector_rank=rank, vector_score=score)
            entry["score"] += s.vector_weight / (s.rrf_k + rank)
        for rank, (chunk_id, score) in enumerate(keyword_hits, start=1):
            entry = fused.setdefault(chunk_id, {"score": 0.0})
            entry.update(keyword_rank=rank, keyword_score=score)
            entry["score"] += s.keyword_weight / (s.rrf_k + rank)
        missing = [i for i in fused if i not in index.position]
        fetched = self.store.get(missing)
        hits = []
        for chunk_id, entry in fused.items():
            if chunk_id in index.position:
                pos = index.position[chunk_id]
                text, meta = index.texts[pos], index.metas[pos]
            elif chunk_id in fetched:
                text, meta = fetched[chunk_id]
            else:
                continue  # deleted since the vector query ran
            if filters.sku and filters.sku not in str(meta.get("sku", "")).split(","):
                continue  # SKU lists are comma-joined strings: filtered here, not in Chroma
            if meta.get("doc_type") == "approved":
                entry["score"] *= s.approved_boost
            hits.append(
                Hit(
                    id=chunk_id,
                    text=text,
                    source=str(meta.get("source", "")),
                    heading=str(meta.get("heading", "")),
                    doc_type=meta.get("doc_type", "doc"),
                    metadata=meta,
                    **entry,
                )
            )
        hits.sort(key=lambda h: h.score, reverse=True)
        for number, hit in enumerate(hits[:k], start=1):
            hit.citation = f"K{number}"
        return hits[:k]


def _chroma_where(filters: SearchFilters, today: int) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if filters.doc_types:
        clauses.append({"doc_type": {"$in": list(filters.doc_types)}})
    if filters.language:
        clauses.append({"language": filters.language})
    if not filters.include_expired:
        day = date_key(filters.on) if filters.on else today
        clauses.append({"valid_from": {"$lte": day}})
        clauses.append({"valid_to": {"$gte": day}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
