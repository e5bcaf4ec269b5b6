"""Response cache: a rerun with the same prompt version, model and inputs costs nothing.

Keys hash (prompt id, version, content hash, backend name, schema name, messages); values are
the backend's `Generation`. Stored in one SQLite file under SIYU_HOME/cache so eval reruns and
resumed campaigns skip the backend entirely. The file is written ahead-logged without a disk sync
per answer: a power cut may lose the last answers (they are asked again), never the file, and a
campaign's drafting threads do not queue on a sync of every answer stored.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from copilot.errors import StoreError
from copilot.llm.backend import Backend, ChatPrompt, Generation, T
from copilot.messages import msg

SCHEMA = "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def cache_key(prompt: ChatPrompt, backend: str, schema: str) -> str:
    parts = [
        prompt.prompt_id,
        prompt.version,
        prompt.hash,
        backend,
        schema,
        prompt.system,
        prompt.user,
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


class ResponseCache:
    """A small key → Generation store in SQLite; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False)
            for statement in (*PRAGMAS, SCHEMA):
                self._db.execute(statement)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                msg(f"无法打开回复缓存: {exc}", f"cannot open the response cache: {exc}"),
                where=str(path),
                hint=msg("检查 SIYU_HOME 是否可写", "check that SIYU_HOME is writable"),
            ) from exc

    def get(self, key: str) -> Generation | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return Generation.model_validate_json(row[0])
        except ValidationError:
            return None  # written by an older version: treat as a miss, it gets overwritten

    def put(self, key: str, generation: Generation) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, value) VALUES (?, ?)",
                (key, generation.model_dump_json()),
            )

    def close(self) -> None:
        self._db.close()


class CachedBackend:
    """Wraps a backend: structured answers come from the cache when the inputs are unchanged."""

    def __init__(self, inner: Backend, cache: ResponseCache) -> None:
        self.inner = inner
        self.cache = cache

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def is_template(self) -> bool:
        return self.inner.is_template

    @property
    def streams(self) -> bool:
        return self.inner.streams

    def generate(self, prompt: ChatPrompt, schema: type[T]) -> Generation:
        key = cache_key(prompt, self.inner.name, schema.__name__)
        hit = self.cache.get(key)
        if hit is not None:
            return hit.model_copy(update={"usage": hit.usage.model_copy(update={"cached": True})})
        generation = self.inner.generate(prompt, schema)
        self.cache.put(key, generation)
        return generation

    def stream(self, prompt: ChatPrompt) -> Iterator[str]:
        return self.inner.stream(prompt)
