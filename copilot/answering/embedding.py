"""The embedder the answerer compares texts with: the one retrieval is configured with."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from copilot.answering.features import Embed
from copilot.answering.vector_cache import VectorCache

CACHE_TEXTS = 4096  # passages repeat across replies and processes; their vectors are kept


@cache
def default_embed() -> Embed:
    from copilot.config import get_settings
    from copilot.retrieval.embedder import embedder_from_settings

    settings = get_settings()
    embedder = embedder_from_settings(settings.embedding)
    known = VectorCache.for_embedder(embedder, settings.cache_dir / "answer-vectors")

    def embed(texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if len(known) + len(missing) > CACHE_TEXTS:
            known.clear()
            missing = list(dict.fromkeys(texts))
        if missing:
            vectors = np.asarray(embedder.embed_documents(missing), dtype=np.float64)
            known.update(zip(missing, vectors, strict=True))
            known.save()
        return np.stack([known[t] for t in texts])

    return embed
