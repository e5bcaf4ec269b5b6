"""Chroma specifics: the client, the collection and the embedder as Chroma's embedding function.

Only the vector store imports this module, and only when it needs the real collection (a write,
a revision with no snapshot on disk, a search too big for the snapshot, server mode): loading
Chroma costs most of a second, which a search answered from the snapshot does not pay.

Chroma rebuilds a reopened collection's embedding function from the name and config it stored,
so every embedder kind is registered with Chroma under its own name.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from copilot.errors import StoreError
from copilot.messages import msg
from copilot.retrieval.embedder import EMBEDDERS, SiyuEmbedding


class ChromaEmbedding(EmbeddingFunction[Documents]):
    """A SiyuEmbedding as Chroma's embedding function (cosine space, config round-trip)."""

    def __init__(self, embedder: SiyuEmbedding) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed_documents(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed_query(list(input)))

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return self.embedder.get_config()

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        return None

    def validate_config_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        return None

    def is_legacy(self) -> bool:
        return False


def _registered(kind: type[SiyuEmbedding]) -> type[ChromaEmbedding]:
    """The Chroma embedding function for one embedder kind, registered under its name."""

    class Registered(ChromaEmbedding):
        @staticmethod
        def name() -> str:
            return kind.name()

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
            return Registered(kind.build_from_config(config))

    Registered.__name__ = Registered.__qualname__ = f"Chroma{kind.__name__}"
    register_embedding_function(Registered)
    return Registered


_FUNCTIONS = {kind.name(): _registered(kind) for kind in EMBEDDERS}


def chroma_embedding(embedder: SiyuEmbedding) -> ChromaEmbedding:
    """`embedder` as the registered Chroma embedding function of its name (a wrapper such as a
    primed query embedder takes its model's name)."""
    return _FUNCTIONS[embedder.name()](embedder)


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


def new_collection(client: ClientAPI, name: str, embedder: SiyuEmbedding) -> Collection:
    """An empty collection recording the embedder that fills it and a fresh revision."""
    return client.create_collection(
        name,
        embedding_function=chroma_embedding(embedder),  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
        metadata={"embedder": embedder.name(), "revision": uuid.uuid4().hex},
    )


def open_collection(client: ClientAPI, name: str, embedder: SiyuEmbedding) -> Collection:
    """Collection `name`, created when missing; one built with another embedder is refused."""
    wanted = embedder.name()
    if name not in {c.name for c in client.list_collections()}:
        return new_collection(client, name, embedder)
    collection = client.get_collection(name)
    built_with = (collection.metadata or {}).get("embedder")
    if built_with and built_with != wanted:
        provider = built_with.removeprefix("siyu-")
        raise StoreError(
            msg(
                f"知识库「{name}」由嵌入模型 {built_with} 构建,不能用 {wanted} 查询",
                f"knowledge base {name!r} was built with {built_with}, so it cannot "
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
