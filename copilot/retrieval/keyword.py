"""Keyword index: BM25 (bm25s) over jieba tokens, derived from the vector store's chunks.

It holds no data of its own: it is rebuilt from the store whenever the store's revision
changes, and cached on disk per revision so a restart does not re-tokenise the corpus. The
cache is data only — bm25s' own format (JSON + .npy, pickle disabled) plus a JSON snapshot —
so a corrupt or foreign cache is ignored and rebuilt, never executed.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from pydantic import BaseModel, ConfigDict

from copilot.retrieval.models import SearchFilters, date_key
from copilot.retrieval.text import keyword_tokens

_CACHE_VERSION = 3  # bump when keyword_tokens or the cache layout changes
_SNAPSHOT = "snapshot.json"
_BM25_DIR = "bm25"


class _Snapshot(BaseModel):
    """The chunks a cached index was built from, with the revision it belongs to."""

    model_config = ConfigDict(extra="forbid")

    version: int
    revision: str
    ids: list[str]
    texts: list[str]
    metas: list[dict[str, str | int | float | bool]]


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

    def save(self, directory: Path) -> None:
        """Cache this index in `directory` (one sub-folder per revision, written aside and
        renamed into place, older revisions removed). A cache that cannot be written is
        skipped: the index is rebuilt from the store next time."""
        slot = directory / _slot(self.revision)
        tmp = directory / f".tmp-{uuid.uuid4().hex}"
        snapshot = _Snapshot(
            version=_CACHE_VERSION,
            revision=self.revision,
            ids=self.ids,
            texts=self.texts,
            metas=self.metas,
        )
        try:
            tmp.mkdir(parents=True)
            if self.bm25 is not None:
                self.bm25.save(tmp / _BM25_DIR, allow_pickle=False, show_progress=False)
            (tmp / _SNAPSHOT).write_text(snapshot.model_dump_json(), encoding="utf-8")
            shutil.rmtree(slot, ignore_errors=True)  # an unreadable cache of this revision
            tmp.rename(slot)
        except OSError:  # read-only home, disk full, or another process saved it first
            shutil.rmtree(tmp, ignore_errors=True)
            return
        for other in directory.iterdir():
            if other != slot and not other.name.startswith(".tmp-"):
                shutil.rmtree(other, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, revision: str) -> KeywordIndex | None:
        """The cached index for `revision`, or None (missing, stale, corrupt or foreign)."""
        slot = directory / _slot(revision)
        try:
            snapshot = _Snapshot.model_validate_json((slot / _SNAPSHOT).read_bytes())
            if snapshot.version != _CACHE_VERSION or snapshot.revision != revision:
                return None
            if not len(snapshot.ids) == len(snapshot.texts) == len(snapshot.metas):
                return None
            bm25 = None
            if snapshot.ids:
                bm25 = bm25s.BM25.load(slot / _BM25_DIR, allow_pickle=False, show_progress=False)
                if int(bm25.scores["num_docs"]) != len(snapshot.ids):
                    return None
            index = cls(
                revision=revision,
                ids=snapshot.ids,
                texts=snapshot.texts,
                metas=[dict(m) for m in snapshot.metas],
                bm25=bm25,
            )
            index._columns()
        except Exception:  # any unreadable cache is rebuilt from the store
            return None
        return index


def _slot(revision: str) -> str:
    """A revision as a safe folder name (revisions come from the store, maybe a server)."""
    return hashlib.sha256(revision.encode("utf-8")).hexdigest()[:32]
