"""The independent reads of one report, at the same time on PostgreSQL, in turn on SQLite.

A month's report is a handful of grouped scans that share nothing. PostgreSQL runs each
connection in its own server process, so two connections use two cores; its own parallel
workers are turned off for these reads, as they only add processes competing for the same cores
(1M events: the report's server CPU 1.9–2.2 s → 1.25–1.45 s). Each read is then its own
transaction: a projection step committed by another process between them can show in one part
and not yet in the other (the log is append-only; nothing is counted twice).

SQLite runs in this process: two threads hand Python's lock back and forth at every row stepped,
which cost up to 0.4 s more CPU per report than the second core saved on a busy machine, so its
reads run in turn in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Connection

from copilot.store.engine import Database

Read = Callable[[Connection], Any]


def _transaction(db: Database, read: Read) -> Any:
    with db.begin() as conn:
        conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
        return read(conn)


def read_at_once(db: Database, *reads: Read) -> list[Any]:
    """The results of `reads`, in order; on PostgreSQL the first runs in this thread and the
    others beside it, each on its own connection."""
    if db.dialect != "postgresql" or len(reads) < 2:
        with db.begin() as conn:
            return [read(conn) for read in reads]
    with ThreadPoolExecutor(max_workers=len(reads) - 1) as pool:
        others = [pool.submit(_transaction, db, read) for read in reads[1:]]
        first = _transaction(db, reads[0])
        return [first, *(future.result() for future in others)]
