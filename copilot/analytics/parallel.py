"""The independent reads of one report run at the same time, each on its own connection.

A month's report is a handful of grouped scans that share nothing; run in turn, the wait is
their sum. SQLite releases Python's lock while it steps a query and PostgreSQL runs each
connection in its own server process, so two connections use two cores. PostgreSQL's own
parallel workers are turned off for these reads: they only add processes competing for the same
cores (1M events: the report's server CPU 1.9–2.1 s → 1.25–1.4 s). Each read is its own
transaction: a projection step committed by another process between them can show in one part
and not yet in the other (the log is append-only; nothing is counted twice). An in-memory SQLite
database has a single connection: its reads run in turn.
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
        if db.dialect == "postgresql":  # the reads are the parallelism: no extra worker processes
            conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
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
