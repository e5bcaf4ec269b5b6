"""The report's independent reads: results in the order given; on PostgreSQL beside each other
on their own connections, on SQLite in turn in this thread; a failing part raised as the
store's error."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from copilot.analytics.parallel import read_at_once
from copilot.errors import StoreError
from copilot.store.engine import Database


def _thread(_conn: Connection) -> str:
    return threading.current_thread().name


def _number(value: int) -> object:
    return lambda conn: conn.execute(text(f"SELECT {value}")).scalar_one()


def test_results_come_back_in_order(db: Database) -> None:
    assert read_at_once(db, _number(1), _number(2), _number(3)) == [1, 2, 3]  # type: ignore[arg-type]


def test_postgresql_reads_beside_this_thread_and_sqlite_in_it(db: Database) -> None:
    here, beside = read_at_once(db, _thread, _thread)
    assert here == threading.current_thread().name
    if db.dialect == "postgresql":
        assert beside != here
    else:
        assert beside == here


def test_a_failing_part_raises_the_store_error(db: Database) -> None:
    broken = lambda conn: conn.execute(text("SELECT * FROM no_such_table")).all()  # noqa: E731
    with pytest.raises(StoreError):
        read_at_once(db, _number(1), broken)  # type: ignore[arg-type]
