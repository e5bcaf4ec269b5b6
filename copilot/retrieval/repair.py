"""Rebuild the embedded store's vector index when an interrupted write left it unreadable.

Chroma's embedded store persists its HNSW index as several files that are not written
atomically: a process killed while they are written (a `kill -9` during ingest) leaves an index
that no longer matches the write log, and every read of the collection then fails. Texts and
metadata live in SQLite and survive, and a vector is a pure function of its text and the
embedder, so the index is rebuilt exactly by re-embedding the stored texts — into a staging
collection that then takes the old one's name. The staging collection exists from the start of
a repair to its end, so a repair that is itself interrupted is redone on the next open.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from chromadb.api import ClientAPI
from chromadb.api.client import SharedSystemClient
from chromadb.api.models.Collection import Collection
from chromadb.errors import ChromaError

from copilot.errors import StoreError
from copilot.messages import msg
from copilot.retrieval.embedder import SiyuEmbedding

PAGE = 1000
STAGING_SUFFIX = "-siyu-rebuild"
# Where Chroma's embedded store records each collection's segments (a folder per segment).
_VECTOR_SEGMENTS = (
    "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
    "WHERE c.name = ? AND s.scope = 'VECTOR'"
)

NewCollection = Callable[[ClientAPI, str], Collection]


def readable_client(
    connect: Callable[[], ClientAPI],
    chroma_dir: Path,
    name: str,
    embedder: SiyuEmbedding,
    create: NewCollection,
) -> tuple[ClientAPI, int]:
    """A client on which collection `name` reads, and how many chunks were re-embedded to
    make it so (0 when it was healthy)."""
    client = connect()
    staging = name + STAGING_SUFFIX
    names = {c.name for c in client.list_collections()}
    if name not in names:
        if staging in names:  # interrupted after the old collection was dropped: it is complete
            client.get_collection(staging).modify(name=name)
        return client, 0
    built_with = (client.get_collection(name).metadata or {}).get("embedder")
    if built_with and built_with != embedder.name():
        return client, 0  # not ours to re-embed: opening the store names the mismatch
    if staging not in names and _readable(client.get_collection(name)):
        return client, 0
    try:
        if staging in names:
            client.delete_collection(staging)
        create(client, staging)
        _drop_vector_index(chroma_dir, name)
        SharedSystemClient.clear_system_cache()  # forget the broken index held in memory
        client = connect()
        count = _rebuild(client.get_collection(name), client.get_collection(staging), embedder)
        client.delete_collection(name)
        client.get_collection(staging).modify(name=name)
    except (ChromaError, OSError, sqlite3.Error) as exc:
        raise StoreError(
            msg(
                f"知识库「{name}」的向量索引已损坏且无法自动重建: {exc}",
                f"the vector index of knowledge base {name!r} is damaged and could not be "
                f"rebuilt: {exc}",
            ),
            where=str(chroma_dir),
            hint=msg(
                f"删除 {chroma_dir} 后重新运行 `siyu ingest`(文档原文件不受影响)",
                f"delete {chroma_dir}, then run `siyu ingest` again (your documents are not "
                "touched)",
            ),
        ) from None
    return client, count


def _readable(collection: Collection) -> bool:
    try:
        collection.count()
        collection.get(limit=1, include=["embeddings"])
    except ChromaError:
        return False
    return True


def _drop_vector_index(chroma_dir: Path, name: str) -> None:
    """Delete the collection's persisted HNSW files; its texts and metadata stay in SQLite."""
    uri = f"{(chroma_dir / 'chroma.sqlite3').as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        segments = [str(row[0]) for row in db.execute(_VECTOR_SEGMENTS, (name,))]
    for segment in segments:
        shutil.rmtree(chroma_dir / segment, ignore_errors=True)


def _rebuild(old: Collection, staging: Collection, embedder: SiyuEmbedding) -> int:
    total = old.count()
    for offset in range(0, total, PAGE):
        page = old.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
        texts = [text or "" for text in page["documents"] or []]
        staging.upsert(
            ids=page["ids"],
            documents=texts,
            metadatas=page["metadatas"],
            embeddings=embedder.embed_documents(texts),
        )
    return total
