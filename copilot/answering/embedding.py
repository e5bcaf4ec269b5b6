"""The embedder the answerer compares texts with: the one retrieval is configured with."""

from __future__ import annotations

import atexit
import threading
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from copilot.answering.vector_cache import VectorCache

if TYPE_CHECKING:
    from copilot.retrieval.embedder import SiyuEmbedding

CACHE_TEXTS = 4096  # passages repeat across replies and processes; their vectors are kept
SAVE_EVERY = 64  # new vectors held in memory before the cache file is rewritten (and at exit)


class CachedEmbed:
    """Texts → vectors, remembering them; safe to call from several threads at once (replies
    are drafted on a thread pool). The cache file is rewritten every SAVE_EVERY new vectors and
    when the process exits, not on every reply."""

    def __init__(self, embedder: SiyuEmbedding, known: VectorCache) -> None:
        self.embedder, self.known = embedder, known
        self._lock = threading.Lock()
        self._unsaved = 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        unique = list(dict.fromkeys(texts))
        with self._lock:
            found = {t: self.known[t] for t in unique if t in self.known}
        missing = [t for t in unique if t not in found]
        if missing:
            vectors = np.asarray(self.embedder.embed_documents(missing), dtype=np.float64)
            found.update(zip(missing, vectors, strict=True))
            with self._lock:
                if len(self.known) + len(missing) > CACHE_TEXTS:
                    self.known.clear()
                self.known.update(zip(missing, vectors, strict=True))
                self._unsaved += len(missing)
            if self._unsaved >= SAVE_EVERY:
                self.flush()
        return np.stack([found[t] for t in texts])

    def flush(self) -> None:
        """Write the vectors not yet on disk."""
        with self._lock:
            if self._unsaved:
                self.known.save()
                self._unsaved = 0


@cache
def default_embed() -> CachedEmbed:
    from copilot.config import get_settings
    from copilot.retrieval.embedder import embedder_from_settings

    settings = get_settings()
    embedder = embedder_from_settings(settings.embedding)
    known = VectorCache.for_embedder(embedder, settings.cache_dir / "answer-vectors")
    embed = CachedEmbed(embedder, known)
    atexit.register(embed.flush)
    return embed
