"""jieba's prefix dictionary looked up word by word in an SQLite file instead of loaded whole.

jieba segments with a dict (FREQ) of its ~350k words and their prefixes, and their total count;
loading it whole costs about a second of CPU, yet segmenting a query only looks up the substrings
of that query. `LazyFreq` answers jieba's lookups (`in`, `[]`, `get`) from a table built once
from jieba's own dictionary and remembers each answer; after FULL_LOAD_AFTER table lookups (bulk
segmentation, such as indexing a knowledge base) it hands jieba the whole dict instead. Same
words and counts, so the same segmentation.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

FULL_LOAD_AFTER = 20_000


class LazyFreq(dict[str, int]):
    """FREQ for `tokenizer`, filled from `db` on demand; words jieba adds are kept in memory."""

    def __init__(self, db: sqlite3.Connection, tokenizer: Any) -> None:
        super().__init__()
        self._db: sqlite3.Connection | None = db
        self._tokenizer = tokenizer
        self._absent: set[str] = set()
        self._lookups = 0
        self._lock = threading.Lock()

    def _known(self, word: str) -> bool:
        if dict.__contains__(self, word):
            return True
        with self._lock:
            if self._db is None or word in self._absent:
                return dict.__contains__(self, word)
            self._lookups += 1
            if self._lookups > FULL_LOAD_AFTER:
                self._load_all()
                return dict.__contains__(self, word)
            row = self._db.execute("SELECT n FROM freq WHERE word = ?", (word,)).fetchone()
            if row is None:
                self._absent.add(word)
                return False
            dict.__setitem__(self, word, row[0])
            return True

    def _load_all(self) -> None:
        assert self._db is not None
        for word, n in self._db.execute("SELECT word, n FROM freq"):
            dict.setdefault(self, word, n)  # words jieba added since keep their counts
        self._db.close()
        self._db, self._absent = None, set()
        self._tokenizer.FREQ = dict(self)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._known(word)

    def __getitem__(self, word: str) -> int:
        if not self._known(word):
            raise KeyError(word)
        return dict.__getitem__(self, word)

    def get(self, word: str, default: Any = None) -> Any:
        return dict.__getitem__(self, word) if self._known(word) else default

    def __setitem__(self, word: str, n: int) -> None:
        with self._lock:
            self._absent.discard(word)
            dict.__setitem__(self, word, n)


def _build(path: Path, tokenizer: Any) -> None:
    freq, total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    part = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
    try:
        with sqlite3.connect(part) as db:
            db.execute(
                "CREATE TABLE freq (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID"
            )
            db.execute("CREATE TABLE meta (total INTEGER NOT NULL)")
            db.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
            db.execute("INSERT INTO meta VALUES (?)", (total,))
        db.close()
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def _open(path: Path) -> tuple[sqlite3.Connection, int] | None:
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        (total,) = db.execute("SELECT total FROM meta").fetchone()
        db.execute("SELECT n FROM freq WHERE word = ?", ("的",)).fetchone()
    except (sqlite3.Error, TypeError, ValueError):  # missing or damaged: rebuilt
        return None
    return db, int(total)


def install(tokenizer: Any, folder: Path) -> None:
    """Make an uninitialised jieba tokenizer (default dictionary) read its dictionary lazily from
    `folder`, building the table there on first use."""
    import jieba

    if tokenizer.initialized:
        return
    path = folder / f"jieba-{jieba.__version__}.sqlite3"
    opened = _open(path)
    if opened is None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _build(path, tokenizer)
        except (OSError, sqlite3.Error):
            pass
        opened = _open(path)
    if opened is None:
        tokenizer.initialize()  # the folder cannot hold the table: jieba's own loading
        return
    db, total = opened
    with tokenizer.lock:
        tokenizer.FREQ, tokenizer.total = LazyFreq(db, tokenizer), total
        tokenizer.initialized = True
