"""Keyword index: BM25 (bm25s) over jieba tokens, derived from the vector store's chunks.

It holds no data of its own: it is rebuilt from the store whenever the store's revision
changes, and cached on disk per revision so a restart does not re-tokenise the corpus.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from copilot.retrieval.models import SearchFilters, date_key
from copilot.retrieval.text import keyword_tokens

_CACHE_VERSION = 2  # bump when keyword_tokens changes


@dataclass
class KeywordIndex:
    """BM25 over a snapshot of the store, with metadata arrays for filtering."""

    revision: str = ""
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    metas: list[dict[str, Any]] = field(default_factory=list)
    bm25: bm25s.BM25 | None = None
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls, revision: str, ids: list[str], texts: list[str], metas: list[dict[str, Any]]
    ) -> KeywordIndex:
        index = cls(revision=revision, ids=ids, texts=texts, metas=metas)
        if ids:
            index.bm25 = bm25s.BM25()
            index.bm25.index([keyword_tokens(t) or ["∅"] for t in texts], show_progress=False)
        index._columns()
        return index

    def _columns(self) -> None:
        self.position = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        for name in ("doc_type", "sku", "language"):
            self.columns[name] = np.array([str(m.get(name, "")) for m in self.metas], dtype=object)
        for name, default in (("valid_from", 0), ("valid_to", 99991231)):
            self.columns[name] = np.array(
                [int(m.get(name, default)) for m in self.metas], dtype=np.int64
            )

    def mask(self, filters: SearchFilters, today_key: int) -> np.ndarray:
        keep = np.ones(len(self.ids), dtype=bool)
        if filters.doc_types:
            keep &= np.isin(self.columns["doc_type"], filters.doc_types)
        if filters.sku:
            keep &= np.array([filters.sku in s.split(",") for s in self.columns["sku"]], dtype=bool)
        if filters.language:
            keep &= self.columns["language"] == filters.language
        if not filters.include_expired:
            day = date_key(filters.on) if filters.on else today_key
            keep &= (self.columns["valid_from"] <= day) & (self.columns["valid_to"] >= day)
        return keep

    def search(self, query: str, n: int, mask: np.ndarray) -> list[tuple[str, float]]:
        """(id, BM25 score) of the best `n` chunks among those the mask keeps."""
        tokens = keyword_tokens(query)
        if self.bm25 is None or not tokens:
            return []
        scores = self.bm25.get_scores(tokens) * mask
        n = min(n, int(np.count_nonzero(scores)))
        if n <= 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(
                (_CACHE_VERSION, self.revision, self.ids, self.texts, self.metas, self.bm25),
                handle,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, revision: str) -> KeywordIndex | None:
        """The cached index for `revision`, or None (missing, stale or unreadable)."""
        try:
            with path.open("rb") as handle:
                version, cached_revision, ids, texts, metas, bm25 = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
            return None
        if version != _CACHE_VERSION or cached_revision != revision:
            return None
        index = cls(revision=revision, ids=ids, texts=texts, metas=metas, bm25=bm25)
        index._columns()
        return index
