"""The independent reads of one report run at the same time, each on its own connection.

A month's report is a handful of grouped scans that share nothing; run one after another, the
slowest sets nothing and the sum is the wait. SQLite releases Python's lock while it steps a
query and PostgreSQL runs each connection in its own server process, so two connections use two
cores. Each read is its own transaction: a projection step committed by another process between
them can show in one part and not yet in the other (the log is append-only; nothing is counted
twice). An in-memory SQLite database has a single connection: its reads run in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Connection

from copilot.store.engine import Database

Read = Callable[[Connection], Any]


def _single_connection(db: Database) -> bool:
    return db.dialect == "sqlite" and (db.engine.url.database or ":memory:") == ":memory:"


def _transaction(db: Database, read: Read) -> Any:
    with db.begin() as conn:
        return read(conn)


def read_at_once(db: Database, *reads: Read) -> list[Any]:
    """The results of `reads`, in order; the first runs in this thread, the others beside it."""
    if _single_connection(db) or len(reads) < 2:
        with db.begin() as conn:
            return [read(conn) for read in reads]
    with ThreadPoolExecutor(max_workers=len(reads) - 1) as pool:
        others = [pool.submit(_transaction, db, read) for read in reads[1:]]
        first = _transaction(db, reads[0])
        return [first, *(future.result() for future in others)]
