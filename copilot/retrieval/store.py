"""The vector store: a Chroma collection, embedded on disk or on a Chroma server.

The collection is the source of truth for chunks. Its metadata records which embedder built
it (a store refuses to be used with another) and a `revision` that every write bumps, so the
keyword index, a derived cache, can tell when it is stale — in server mode too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from copilot.config import Settings
from copilot.errors import StoreError
from copilot.filelock import file_lock
from copilot.messages import msg
from copilot.retrieval.embedder import SiyuEmbedding, embedder_from_settings
from copilot.retrieval.models import Chunk
from copilot.retrieval.repair import readable_client

BATCH = 256


def make_client(chroma_url: str | None, chroma_dir: Path) -> ClientAPI:
    """HttpClient for a server URL, else a PersistentClient under the home directory."""
    settings = chromadb.Settings(anonymized_telemetry=False)
    if chroma_url:
        parsed = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=settings,
            )
        except Exception as exc:  # chromadb raises bare exceptions on connect
            raise StoreError(
                msg(f"连不上 Chroma 服务: {exc}", f"cannot reach the Chroma server: {exc}"),
                where=chroma_url,
                hint=msg(
                    "确认 `chroma run` 已启动且地址正确,或删除 SIYU_CHROMA_URL 使用本地存储",
                    "check that `chroma run` is up at that address, or unset SIYU_CHROMA_URL to "
                    "use the local store",
                ),
            ) from None
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=settings)


@dataclass
class StoredFile:
    """What the store holds for one source file: each chunk id with its file stamp.

    Every chunk of a file is stamped with the file's content hash and its chunk count. The file
    is complete only when all its stored chunks carry one stamp and there are exactly that many
    of them; a write interrupted at any point leaves mixed stamps or too few chunks.
    """

    stamps: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return list(self.stamps)

    def complete_hash(self) -> str:
        """The content hash the stored chunks fully represent, or "" while incomplete."""
        distinct = set(self.stamps.values())
        if len(distinct) != 1:
            return ""
        file_hash, count = distinct.pop()
        return file_hash if count == len(self.stamps) else ""


def open_store(settings: Settings) -> VectorStore:
    """The knowledge collection the settings point at, with their embedder. An embedded store
    whose vector index an interrupted write left unreadable is rebuilt first (see repair)."""
    embedder = embedder_from_settings(settings.embedding)
    name = settings.retrieval.collection
    if settings.chroma_url:
        return VectorStore(make_client(settings.chroma_url, settings.chroma_dir), name, embedder)
    # Processes sharing a home (campaign workers, two commands at once) open it in turn: Chroma
    # creating its files or the collection for two of them at once fails for one.
    with file_lock(settings.chroma_dir.with_name(f"{settings.chroma_dir.name}.lock")):
        client, repaired = readable_client(
            lambda: make_client(None, settings.chroma_dir),
            settings.chroma_dir,
            name,
            embedder,
            lambda c, n: new_collection(c, n, embedder),
        )
        store = VectorStore(client, name, embedder)
    store.repaired = repaired
    return store


def new_collection(client: ClientAPI, name: str, embedder: SiyuEmbedding) -> Collection:
    """An empty collection recording the embedder that fills it and a fresh revision."""
    return client.create_collection(
        name,
        embedding_function=embedder,  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
        metadata={"embedder": embedder.name(), "revision": uuid.uuid4().hex},
    )


class VectorStore:
    """One collection plus the embedder it was built with."""

    def __init__(self, client: ClientAPI, name: str, embedder: SiyuEmbedding) -> None:
        self.client, self.name, self.embedder = client, name, embedder
        self.collection = self._open()
        self.repaired = 0  # chunks re-embedded when opening rebuilt a damaged vector index
        self._writing = False

    def _open(self) -> Collection:
        wanted = self.embedder.name()
        existing = {c.name for c in self.client.list_collections()}
        if self.name in existing:
            collection = self.client.get_collection(self.name)
            built_with = (collection.metadata or {}).get("embedder")
            if built_with and built_with != wanted:
                provider = built_with.removeprefix("siyu-")
                raise StoreError(
                    msg(
                        f"知识库「{self.name}」由嵌入模型 {built_with} 构建,不能用 {wanted} 查询",
                        f"knowledge base {self.name!r} was built with {built_with}, so it cannot "
                        f"be searched with {wanted}",
                    ),
                    hint=msg(
                        f"把 SIYU_EMBEDDING_PROVIDER 改回 {provider},"
                        "或换一个 SIYU_RETRIEVAL_COLLECTION 后重新导入",
                        f"set SIYU_EMBEDDING_PROVIDER back to {provider}, or pick another "
                        "SIYU_RETRIEVAL_COLLECTION and ingest again",
                    ),
                )
            return collection
        return new_collection(self.client, self.name, self.embedder)

    def revision(self) -> str:
        """The current revision, read from the server/disk (another client may have written)."""
        metadata = self.client.get_collection(self.name).metadata or {}
        return str(metadata.get("revision", ""))

    def _set_metadata(self, **changes: Any) -> None:
        metadata = dict(self.collection.metadata or {})
        metadata.update(changes)
        metadata.pop("hnsw:space", None)
        self.collection.modify(metadata=metadata)

    def _begin_write(self) -> None:
        """Flag the collection before this client's first change, so that a writer stopped
        before `commit` (a killed ingest) leaves a flag the next writer commits."""
        if not self._writing:
            self._set_metadata(writing=True)
            self._writing = True

    def interrupted(self) -> bool:
        """True while changes are not committed: a writer is busy or was stopped midway."""
        metadata = self.client.get_collection(self.name).metadata or {}
        return bool(metadata.get("writing"))

    def count(self) -> int:
        return self.collection.count()

    def manifest(self) -> dict[str, StoredFile]:
        """Per file key (resolved path): its chunk ids and their file stamps, as stored."""
        files: dict[str, StoredFile] = {}
        total = self.count()
        for offset in range(0, total, 5000):
            batch = self.collection.get(include=["metadatas"], limit=5000, offset=offset)
            for chunk_id, meta in zip(batch["ids"], batch["metadatas"] or [], strict=True):
                entry = files.setdefault(str(meta.get("path", "")), StoredFile())
                entry.stamps[chunk_id] = (
                    str(meta.get("file_hash", "")),
                    _as_int(meta.get("file_chunks")),
                )
        return files

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, extra: dict[str, Any]) -> None:
        if not chunks:
            return
        self._begin_write()
        for start in range(0, len(chunks), BATCH):
            part = chunks[start : start + BATCH]
            self.collection.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                embeddings=vectors[start : start + BATCH],
                metadatas=[{**c.metadata(), **extra} for c in part],
            )

    def restamp(self, chunks: Sequence[Chunk], extra: dict[str, Any]) -> None:
        """Rewrite the metadata of kept chunks (row numbers move, the file stamp changes),
        without re-embedding."""
        if chunks:
            self._begin_write()
        for start in range(0, len(chunks), BATCH):
            part = chunks[start : start + BATCH]
            self.collection.update(
                ids=[c.id for c in part],
                metadatas=[{**c.metadata(), **extra} for c in part],
            )

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._begin_write()
        for start in range(0, len(ids), BATCH):
            self.collection.delete(ids=list(ids[start : start + BATCH]))

    def chunk_ids(self, *, source: str, path: str) -> list[str]:
        """Ids of the chunks that the file at `path` brought in under the name `source`."""
        where: dict[str, Any] = {"$and": [{"source": source}, {"path": path}]}
        return self.collection.get(where=where, include=[])["ids"]

    def delete_source(self, source: str) -> int:
        """Remove every chunk of one document (as named in citations); returns the count."""
        ids = self.collection.get(where={"source": source}, include=[])["ids"]
        self.delete(ids)
        if ids:
            self.commit()
        return len(ids)

    def commit(self) -> None:
        """Mark a finished write (new revision, flag cleared) so derived indexes rebuild."""
        self._set_metadata(revision=uuid.uuid4().hex, writing=False)
        self._writing = False

    def query(
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None
    ) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the nearest chunks (fewer when the store holds fewer;
        Chroma caps `n` itself, so no count round-trip per query)."""
        if n <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=n, where=where, include=["distances"]
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def all_documents(self) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Every chunk (ids, texts, metadata), paged, for building the keyword index."""
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        total = self.count()
        for offset in range(0, total, 5000):
            batch = self.collection.get(
                include=["documents", "metadatas"], limit=5000, offset=offset
            )
            ids.extend(batch["ids"])
            texts.extend(batch["documents"] or [])
            metas.extend(dict(m) for m in batch["metadatas"] or [])
        return ids, texts, metas

    def get(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        if not ids:
            return {}
        batch = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        return {
            i: (doc, dict(meta))
            for i, doc, meta in zip(
                batch["ids"], batch["documents"] or [], batch["metadatas"] or [], strict=True
            )
        }


def _as_int(value: object) -> int:
    """A stamp's chunk count; -1 (never complete) for chunks written without one."""
    return value if isinstance(value, int) and not isinstance(value, bool) else -1
