"""Hybrid retrieval: vectors + BM25 keywords, fused by weighted reciprocal rank fusion.

Both searches run on the knowledge snapshot of the store's current revision (see snapshot): the
vector search is exact over the snapshot's vectors, and goes to Chroma only for a store too big
to keep them or while a write is uncommitted. The store itself is read for its revision (every
2 s at most; from a marker file for an embedded store) and for chunks written after the snapshot.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import numpy as np

from copilot.config import RetrievalSettings, Settings
from copilot.retrieval.models import OPEN_END, OPEN_START, Hit, SearchFilters, date_key
from copilot.retrieval.snapshot import MAX_VECTOR_BYTES, Snapshot
from copilot.retrieval.store import VectorStore, open_store
from copilot.retrieval.text import normalise_query

_FRESHNESS_TTL_S = 2.0
# Query vectors unfiltered (then drop excluded chunks) while at most this many × n are excluded.
UNFILTERED_EXCLUDED_FACTOR = 3


class Retriever:
    """Search the knowledge base; safe to share between threads."""

    def __init__(
        self,
        store: VectorStore,
        settings: RetrievalSettings,
        cache_dir: Any = None,
        max_vector_bytes: int = MAX_VECTOR_BYTES,
    ) -> None:
        self.store, self.settings, self.cache_dir = store, settings, cache_dir
        self.max_vector_bytes = max_vector_bytes  # a bigger store's searches go to Chroma
        self._index = Snapshot()
        self._settled = False  # no write since the snapshot's revision: its vectors are current
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Retriever:
        return cls(open_store(settings), settings.retrieval, settings.cache_dir / "snapshot")

    def snapshot(self) -> Snapshot:
        """The snapshot of the store's current revision (loaded or rebuilt when stale)."""
        now = time.monotonic()
        if self._index.revision and now - self._checked_at < _FRESHNESS_TTL_S:
            return self._index
        with self._lock:
            revision, self._settled = self.store.head()
            self._checked_at = now
            if revision != self._index.revision:
                self._index = self._load_or_build(revision)
        return self._index

    def generation(self) -> str | None:
        """The store revision searches answer from now, while no write is under way (None
        during one: its chunks may still change), so their results can be remembered by it."""
        index = self.snapshot()
        return index.revision if self._settled else None

    def refresh(self) -> None:
        """Re-read the store revision on the next search (after a write by this process)."""
        self._checked_at = 0.0

    def _load_or_build(self, revision: str) -> Snapshot:
        """The snapshot of `revision` from disk, else built from the store — and kept on disk
        only when no write moved the store on while it was read (a snapshot never changes)."""
        path = self.cache_dir / self.store.name if self.cache_dir else None
        cached = Snapshot.load(path, revision) if path else None
        if cached is not None:
            return cached
        built = Snapshot.build(revision, self.store.documents(self.max_vector_bytes))
        if path and self.store.head() == (revision, True):
            built.save(path)
        return built

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]:
        """The `k` best passages for `query`, each with score, source and a citation id."""
        filters = filters or SearchFilters()
        query = normalise_query(query)
        if k <= 0 or not any(ch.isalnum() for ch in query):
            return []  # punctuation or invisible characters only: nothing to look for
        index = self.snapshot()
        day = date_key(filters.on) if filters.on else date_key(date.today())
        mask = index.mask(filters, day)
        n = max(self.settings.candidates, k)
        vector = self.store.embedder.embed_query([query])[0]
        if index.vectors is not None and self._settled:
            vector_hits = index.nearest(vector, n, mask)
        else:
            vector_hits = self._query_store(vector, n, index, mask, filters, day)
        keyword_hits = index.search(query, n, mask)
        return self._fuse(vector_hits, keyword_hits, index, mask, filters, day, k)

    def _query_store(
        self,
        vector: np.ndarray,
        n: int,
        index: Snapshot,
        mask: np.ndarray,
        filters: SearchFilters,
        day: int,
    ) -> list[tuple[str, float]]:
        """The vector search on Chroma: for a store too big to keep vectors in its snapshot, and
        while a write is under way or was stopped midway (its chunks are searched as stored).
        Chroma's metadata pre-filter costs 5-50x the search, so when the filters exclude few
        chunks (a few expired promotions) the query runs unfiltered for n + excluded results —
        which must contain the n best admitted ones — and the excluded are dropped here, before
        ranks are counted."""
        excluded = int(mask.size - np.count_nonzero(mask))
        if excluded > UNFILTERED_EXCLUDED_FACTOR * n:
            return self.store.query(vector, n, _chroma_where(filters, day))
        raw = self.store.query(vector, n + excluded, None)
        position = index.position
        return [h for h in raw if h[0] not in position or mask[position[h[0]]]][:n]

    def _fuse(
        self,
        vector_hits: list[tuple[str, float]],
        keyword_hits: list[tuple[str, float]],
        index: Snapshot,
        mask: np.ndarray,
        filters: SearchFilters,
        day: int,
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
        fetched = self.store.get([i for i in fused if i not in index.position])
        ranked: list[tuple[str, str, dict[str, Any]]] = []
        for chunk_id, entry in fused.items():
            pos = index.position.get(chunk_id)
            if pos is not None:
                if not mask[pos]:
                    continue  # Chroma's query ran unfiltered on a field it cannot filter
                text, meta = index.texts[pos], index.metas[pos]
            elif chunk_id in fetched:
                text, meta = fetched[chunk_id]  # written after the snapshot
                if not _admits(meta, filters, day):
                    continue
            else:
                continue  # deleted since the vector query ran
            if meta.get("doc_type") == "approved":
                entry["score"] *= s.approved_boost
            ranked.append((chunk_id, text, meta))
        ranked.sort(key=lambda item: fused[item[0]]["score"], reverse=True)
        return [
            Hit(
                id=chunk_id,
                text=text,
                source=str(meta.get("source", "")),
                heading=str(meta.get("heading", "")),
                doc_type=meta.get("doc_type", "doc"),
                metadata=meta,
                citation=f"K{number}",
                **fused[chunk_id],
            )
            for number, (chunk_id, text, meta) in enumerate(ranked[:k], start=1)
        ]


def _admits(meta: dict[str, Any], filters: SearchFilters, day: int) -> bool:
    """The filters applied to one chunk's metadata (for chunks outside the snapshot)."""
    if filters.doc_types and meta.get("doc_type") not in filters.doc_types:
        return False
    if filters.sku and filters.sku not in str(meta.get("sku", "")).split(","):
        return False
    if filters.language and meta.get("language") != filters.language:
        return False
    valid = int(meta.get("valid_from", OPEN_START)) <= day <= int(meta.get("valid_to", OPEN_END))
    return filters.include_expired or valid


def _chroma_where(filters: SearchFilters, day: int) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if filters.doc_types:
        clauses.append({"doc_type": {"$in": list(filters.doc_types)}})
    if filters.language:
        clauses.append({"language": filters.language})
    if not filters.include_expired:
        clauses.append({"valid_from": {"$lte": day}})
        clauses.append({"valid_to": {"$gte": day}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
