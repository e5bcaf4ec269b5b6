"""Vectors of texts the answerer has embedded, kept on disk so a new process does not embed the
same passages again.

One `.npz` file per embedder configuration, read with pickle disabled: text digests, their
float32 vectors and the vector of a fixed probe text. A file whose probe vector differs from the
running embedder's (another model or version) or that cannot be read is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from copilot.retrieval.embedder import SiyuEmbedding

PROBE = "向量缓存校验 / vector cache check"


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class VectorCache:
    """Text → vector (float64, as the answerer computes with), saved to `path` on `save()`."""

    def __init__(self, path: Path, probe: np.ndarray) -> None:
        self.path = path
        self.probe = np.asarray(probe, dtype=np.float32)
        self._vectors = self._read()

    @classmethod
    def for_embedder(cls, embedder: SiyuEmbedding, folder: Path) -> VectorCache:
        config = json.dumps(embedder.get_config(), sort_keys=True)
        key = hashlib.blake2b(config.encode("utf-8"), digest_size=8).hexdigest()
        return cls(folder / f"{embedder.name()}-{key}.npz", embedder.embed_documents([PROBE])[0])

    def _read(self) -> dict[bytes, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors, probe = data["keys"], data["vectors"], data["probe"]
        except Exception:  # missing, truncated, planted or foreign: start empty
            return {}
        usable = (
            keys.dtype == np.dtype("S16")
            and vectors.dtype == np.float32
            and vectors.shape == (len(keys), self.probe.shape[0])
            and np.array_equal(probe, self.probe)
        )
        if not usable:
            return {}
        return dict(zip(keys.tolist(), vectors.astype(np.float64), strict=True))

    def __len__(self) -> int:
        return len(self._vectors)

    def __contains__(self, text: str) -> bool:
        return _digest(text) in self._vectors

    def __getitem__(self, text: str) -> np.ndarray:
        return self._vectors[_digest(text)]

    def update(self, pairs: Iterable[tuple[str, np.ndarray]]) -> None:
        self._vectors.update((_digest(text), vector) for text, vector in pairs)

    def clear(self) -> None:
        self._vectors.clear()

    def save(self) -> None:
        """Write the vectors (atomically); a folder that cannot be written only loses the cache."""
        keys = np.array(list(self._vectors), dtype="S16")
        vectors = np.array(list(self._vectors.values()), dtype=np.float32)
        part = self.path.with_name(f"{self.path.name}.{uuid.uuid4().hex}.part")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with part.open("wb") as out:
                np.savez(
                    out,
                    keys=keys,
                    vectors=vectors.reshape(len(keys), len(self.probe)),
                    probe=self.probe,
                )
            os.replace(part, self.path)
        except OSError:
            part.unlink(missing_ok=True)
