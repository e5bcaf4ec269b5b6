"""The knowledge snapshot: every chunk of one store revision, searchable without the store.

A snapshot holds each chunk's id, text and metadata (arrays for filtering), a BM25 index (bm25s)
over jieba tokens and, while they fit in `MAX_VECTOR_BYTES`, each chunk's vector, so the vector
search is an exact cosine top-n over one matrix. It holds no data of its own: it is rebuilt from
the store whenever the store's revision changes, and kept on disk per revision so a restart does
not re-read and re-tokenise the corpus. A snapshot never changes once written. The files are
data only — bm25s' own format (JSON + .npy, pickle disabled), the vectors as .npy and a JSON
manifest — so a corrupt or foreign snapshot is ignored and rebuilt, never executed.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bm25s
import numpy as np
from pydantic import BaseModel, ConfigDict

from copilot.retrieval.embedder import normalised
from copilot.retrieval.models import OPEN_END, OPEN_START, SearchFilters, date_key
from copilot.retrieval.text import keyword_tokens, query_tokens

if TYPE_CHECKING:
    from copilot.retrieval.store import Documents

_CACHE_VERSION = 4  # bump when keyword_tokens or the snapshot layout changes
_MANIFEST = "snapshot.json"
_BM25_DIR = "bm25"
_VECTORS = "vectors.npy"
# Vectors are kept while chunks × dimensions × 4 bytes stay under this: 32,768 chunks of 512
# dimensions. Exact search over that many is one matrix-vector product of ~10 ms, and the file
# loads in milliseconds; above it, Chroma's approximate index (HNSW) answers instead.
MAX_VECTOR_BYTES = 64 * 2**20


class _Manifest(BaseModel):
    """The chunks a snapshot was built from, with the revision it belongs to."""

    model_config = ConfigDict(extra="forbid")

    version: int
    revision: str
    ids: list[str]
    texts: list[str]
    metas: list[dict[str, str | int | float | bool]]
    vectors: bool


@dataclass
class Snapshot:
    """One revision of the store: chunks with metadata arrays for filtering, BM25, vectors."""

    revision: str = ""
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    metas: list[dict[str, Any]] = field(default_factory=list)
    vectors: np.ndarray | None = None  # L2-normalised float32, one row per id
    bm25: bm25s.BM25 | None = None
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, revision: str, documents: Documents) -> Snapshot:
        ids, texts = documents.ids, documents.texts
        index = cls(revision=revision, ids=ids, texts=texts, metas=documents.metas)
        if documents.vectors is not None:
            index.vectors = normalised(documents.vectors)
        if ids:
            index.bm25 = bm25s.BM25()
            index.bm25.index([keyword_tokens(t) or ["∅"] for t in texts], show_progress=False)
        index._columns()
        return index

    def _columns(self) -> None:
        self.position = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        for name in ("doc_type", "sku", "language"):
            self.columns[name] = np.array([str(m.get(name, "")) for m in self.metas], dtype=object)
        for name, default in (("valid_from", OPEN_START), ("valid_to", OPEN_END)):
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
        tokens = query_tokens(query)
        if self.bm25 is None or not tokens:
            return []
        scores = self.bm25.get_scores(list(tokens)) * mask
        return self._top(scores, n, scores != 0)

    def nearest(self, vector: np.ndarray, n: int, mask: np.ndarray) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the `n` chunks nearest `vector` among those the mask
        keeps: exact, where Chroma's index is approximate. Needs the snapshot's vectors."""
        if self.vectors is None:
            raise ValueError("this snapshot holds no vectors")
        if not self.ids:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        return self._top(self.vectors @ query, n, mask)

    def _top(self, scores: np.ndarray, n: int, keep: np.ndarray) -> list[tuple[str, float]]:
        """The `n` best-scoring kept chunks, best first (ties in snapshot order)."""
        n = min(n, int(np.count_nonzero(keep)))
        if n <= 0:
            return []
        scores = np.where(keep, scores, -np.inf)
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.lexsort((top, -scores[top]))]
        return [(self.ids[i], float(scores[i])) for i in top]

    def save(self, directory: Path) -> None:
        """Keep this snapshot in `directory` (one sub-folder per revision, written aside and
        renamed into place, older revisions removed). A snapshot that cannot be written is
        skipped: it is rebuilt from the store next time."""
        slot = directory / _slot(self.revision)
        tmp = directory / f".tmp-{uuid.uuid4().hex}"
        manifest = _Manifest(
            version=_CACHE_VERSION,
            revision=self.revision,
            ids=self.ids,
            texts=self.texts,
            metas=self.metas,
            vectors=self.vectors is not None,
        )
        try:
            tmp.mkdir(parents=True)
            if self.bm25 is not None:
                self.bm25.save(tmp / _BM25_DIR, allow_pickle=False, show_progress=False)
            if self.vectors is not None:
                np.save(tmp / _VECTORS, self.vectors, allow_pickle=False)
            (tmp / _MANIFEST).write_text(manifest.model_dump_json(), encoding="utf-8")
            shutil.rmtree(slot, ignore_errors=True)  # an unreadable cache of this revision
            tmp.rename(slot)
        except OSError:  # read-only home, disk full, or another process saved it first
            shutil.rmtree(tmp, ignore_errors=True)
            return
        for other in directory.iterdir():
            if other != slot and not other.name.startswith(".tmp-"):
                shutil.rmtree(other, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, revision: str) -> Snapshot | None:
        """The snapshot of `revision`, or None (missing, stale, corrupt or foreign)."""
        slot = directory / _slot(revision)
        try:
            manifest = _Manifest.model_validate_json((slot / _MANIFEST).read_bytes())
            if manifest.version != _CACHE_VERSION or manifest.revision != revision:
                return None
            if not len(manifest.ids) == len(manifest.texts) == len(manifest.metas):
                return None
            bm25 = vectors = None
            if manifest.ids:
                bm25 = bm25s.BM25.load(slot / _BM25_DIR, allow_pickle=False, show_progress=False)
                if int(bm25.scores["num_docs"]) != len(manifest.ids):
                    return None
            if manifest.vectors:
                vectors = np.load(slot / _VECTORS, allow_pickle=False)
                if vectors.dtype != np.float32 or vectors.ndim != 2:
                    return None
                if vectors.shape[0] != len(manifest.ids):
                    return None
            index = cls(
                revision=revision,
                ids=manifest.ids,
                texts=manifest.texts,
                metas=[dict(m) for m in manifest.metas],
                vectors=vectors,
                bm25=bm25,
            )
            index._columns()
        except Exception:  # any unreadable snapshot is rebuilt from the store
            return None
        return index


def _slot(revision: str) -> str:
    """A revision as a safe folder name (revisions come from the store, maybe a server)."""
    return hashlib.sha256(revision.encode("utf-8")).hexdigest()[:32]
