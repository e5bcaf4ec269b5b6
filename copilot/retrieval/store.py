"""The vector store: a Chroma collection, embedded on disk or on a Chroma server.

The collection is the source of truth for chunks. Its metadata records which embedder built
it (a store refuses to be used with another) and a `revision` that every write bumps, so the
knowledge snapshot, a derived copy, can tell when it is stale — in server mode too.

The collection opens on first use. An embedded store also keeps a revision marker beside its
data (inside the Chroma folder, so deleting that folder drops it too): `commit` writes the
revision it committed, with the chunk count and the embedder, and every change removes the marker
before it touches the collection. A marker therefore only ever names a revision the data still
matches, and while one is there the revision and the count are read from it without loading
Chroma at all: a reader whose snapshot of that revision is on disk never opens the collection.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from copilot.config import Settings
from copilot.filelock import file_lock
from copilot.retrieval.embedder import SiyuEmbedding, embedder_from_settings
from copilot.retrieval.models import Chunk

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

BATCH = 256
PAGE = 5000

# A client on which the collection reads, and how many chunks opening it re-embedded.
Connect = Callable[[], "tuple[ClientAPI, int]"]


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


@dataclass
class Documents:
    """Every chunk of a store: ids, texts, metadata and their vectors (None when not read)."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    metas: list[dict[str, Any]] = field(default_factory=list)
    vectors: np.ndarray | None = None


class _Marker(BaseModel):
    """The last committed revision of an embedded collection, as its marker file records it."""

    model_config = ConfigDict(extra="forbid")

    revision: str
    embedder: str
    count: int


def open_store(settings: Settings) -> VectorStore:
    """The knowledge collection the settings point at, with their embedder. A server store
    connects at once (a wrong address fails at start-up); an embedded one on first use, when an
    embedded store whose vector index an interrupted write left unreadable is rebuilt first (see
    repair)."""
    embedder = embedder_from_settings(settings.embedding)
    name, chroma_dir, url = settings.retrieval.collection, settings.chroma_dir, settings.chroma_url
    if url:

        def connect_server() -> tuple[ClientAPI, int]:
            from copilot.retrieval.chroma import make_client

            return make_client(url, chroma_dir), 0

        store = VectorStore(connect_server, name, embedder)
        store.open()
        return store

    def connect_embedded() -> tuple[ClientAPI, int]:
        from copilot.retrieval.chroma import make_client, new_collection
        from copilot.retrieval.repair import readable_client

        return readable_client(
            lambda: make_client(None, chroma_dir),
            chroma_dir,
            name,
            embedder,
            lambda c, n: new_collection(c, n, embedder),
        )

    return VectorStore(connect_embedded, name, embedder, chroma_dir)


@dataclass
class _Opened:
    client: ClientAPI
    collection: Collection
    repaired: int  # chunks re-embedded when opening rebuilt a damaged vector index


class VectorStore:
    """One collection plus the embedder it was built with; `home` is the folder of an embedded
    store (None for a server or a client given as is)."""

    def __init__(
        self, connect: Connect, name: str, embedder: SiyuEmbedding, home: Path | None = None
    ) -> None:
        self.name, self.embedder, self.home = name, embedder, home
        self._connect = connect
        self._opened: _Opened | None = None
        self._open_lock = threading.Lock()
        self._writing = False

    def with_embedder(self, embedder: SiyuEmbedding) -> VectorStore:
        """This collection with another embedder of the same model (e.g. one primed with the
        queries to come), on this store's client (opened now: the two share one lock)."""
        client = self.client
        return VectorStore(lambda: (client, 0), self.name, embedder, self.home)

    def open(self) -> _Opened:
        """The client and collection, opened now if they are not yet. Processes sharing a home
        (campaign workers, two commands at once) open it in turn: Chroma creating its files or
        the collection for two of them at once fails for one."""
        with self._open_lock:
            if self._opened is None:
                from copilot.retrieval.chroma import open_collection

                with self._guard():
                    client, repaired = self._connect()
                    collection = open_collection(client, self.name, self.embedder)
                    if not (collection.metadata or {}).get("writing"):
                        self._mark(collection)  # a store written before markers existed
                self._opened = _Opened(client, collection, repaired)
            return self._opened

    @property
    def client(self) -> ClientAPI:
        return self.open().client

    @property
    def collection(self) -> Collection:
        return self.open().collection

    @property
    def repaired(self) -> int:
        """Chunks re-embedded when opening rebuilt a damaged vector index (0 when healthy)."""
        return self.open().repaired

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Hold the embedded store's lock (opening, flagging a write, committing)."""
        if self.home is None:
            yield
            return
        with file_lock(self.home.with_name(f"{self.home.name}.lock")):
            yield

    @property
    def marker_path(self) -> Path | None:
        """Where an embedded store records its last committed revision."""
        return self.home / f"siyu-{self.name}.revision.json" if self.home else None

    def _marker(self) -> _Marker | None:
        """The committed revision marker, when there is one for this embedder."""
        path = self.marker_path
        if path is None:
            return None
        try:
            marker = _Marker.model_validate_json(path.read_bytes())
        except (OSError, ValueError):
            return None  # none (a write began) or unreadable: ask the collection
        return marker if marker.embedder == self.embedder.name() else None

    def _mark(self, collection: Collection) -> None:
        """Record the collection's revision as committed (written aside, renamed into place)."""
        path = self.marker_path
        if path is None:
            return
        marker = _Marker(
            revision=str((collection.metadata or {}).get("revision", "")),
            embedder=self.embedder.name(),
            count=collection.count(),
        )
        if self._marker() == marker:
            return
        part = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        try:
            part.write_text(marker.model_dump_json(), encoding="utf-8")
            os.replace(part, path)
        except OSError:  # read-only home: readers open the collection instead
            part.unlink(missing_ok=True)

    def _unmark(self) -> None:
        if self.marker_path is not None:
            self.marker_path.unlink(missing_ok=True)

    def _metadata(self) -> dict[str, Any]:
        """The collection's metadata, read afresh (another client may have written)."""
        return dict(self.client.get_collection(self.name).metadata or {})

    def head(self) -> tuple[str, bool]:
        """(revision, settled): the last committed revision, and whether the data is still
        that revision's (False while a write is under way or after one was stopped midway).
        From the marker while there is one, else from the collection."""
        marker = self._marker()
        if marker is not None:
            return marker.revision, True
        metadata = self._metadata()
        return str(metadata.get("revision", "")), not metadata.get("writing")

    def revision(self) -> str:
        """The last committed revision (see `head`)."""
        return self.head()[0]

    def _set_metadata(self, **changes: Any) -> None:
        metadata = dict(self.collection.metadata or {})
        metadata.update(changes)
        metadata.pop("hnsw:space", None)
        self.collection.modify(metadata=metadata)

    def _begin_write(self) -> None:
        """Before every change, drop the revision marker (another writer's commit may have
        written one since the last). Before this client's first change, also flag the
        collection, so that a writer stopped before `commit` (a killed ingest) leaves a flag
        the next writer commits; under the store's lock, so a reader opening the store marks
        the old revision either before this (and the marker is dropped) or not at all."""
        if self._writing:
            self._unmark()
            return
        self.open()  # before taking the lock, which opening takes too
        with self._guard():
            self._unmark()
            self._set_metadata(writing=True)
        self._writing = True

    def interrupted(self) -> bool:
        """True while changes are not committed: a writer is busy or was stopped midway."""
        return bool(self._metadata().get("writing"))

    def count(self) -> int:
        """Chunks in the store (from the marker while there is one)."""
        marker = self._marker()
        return marker.count if marker is not None else self.collection.count()

    def manifest(self) -> dict[str, StoredFile]:
        """Per file key (resolved path): its chunk ids and their file stamps, as stored."""
        files: dict[str, StoredFile] = {}
        for offset in range(0, self.collection.count(), PAGE):
            batch = self.collection.get(include=["metadatas"], limit=PAGE, offset=offset)
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
        """Mark a finished write (new revision, flag cleared, marker written) so derived
        snapshots rebuild."""
        self.open()  # before taking the lock, which opening takes too
        with self._guard():
            self._set_metadata(revision=uuid.uuid4().hex, writing=False)
            self._writing = False
            self._mark(self.collection)

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

    def documents(self, max_vector_bytes: int = 0) -> Documents:
        """Every chunk, paged, with the vectors when they take at most `max_vector_bytes`."""
        out = Documents()
        vectors: list[np.ndarray] | None = [] if max_vector_bytes > 0 else None
        total = self.collection.count()
        for offset in range(0, total, PAGE):
            include: list[Any] = ["documents", "metadatas"]
            if vectors is not None:
                include.append("embeddings")
            batch = self.collection.get(include=include, limit=PAGE, offset=offset)
            out.ids.extend(batch["ids"])
            out.texts.extend(batch["documents"] or [])
            out.metas.extend(dict(m) for m in batch["metadatas"] or [])
            if vectors is not None:
                page = np.asarray(batch["embeddings"], dtype=np.float32)
                if page.ndim == 2 and total * page.shape[1] * page.itemsize <= max_vector_bytes:
                    vectors.append(page)
                else:
                    vectors = None  # too many to keep: searches go to the collection
        if vectors is not None:
            out.vectors = np.concatenate(vectors) if vectors else np.zeros((0, 0), np.float32)
        return out

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
