"""The report's independent reads: results in the order given, each part in its own
transaction, a failing part raised as the store's error, an in-memory database read in turn."""

from __future__ import annotations

import threading
from pathlib import Path

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


def test_results_come_back_in_order_from_two_threads(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    first, second, third = read_at_once(db, _number(1), _number(2), _number(3))  # type: ignore[arg-type]
    assert (first, second, third) == (1, 2, 3)
    here, beside = read_at_once(db, _thread, _thread)
    assert here == threading.current_thread().name
    assert beside != here
    db.dispose()


def test_an_in_memory_database_is_read_in_turn_on_its_one_connection() -> None:
    db = Database("sqlite:///:memory:")
    with db.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (7)"))
    count = lambda conn: conn.execute(text("SELECT n FROM t")).scalar_one()  # noqa: E731
    here, beside = read_at_once(db, _thread, _thread)
    assert here == beside == threading.current_thread().name
    assert read_at_once(db, count, count) == [7, 7]
    db.dispose()


def test_a_failing_part_raises_the_store_error(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    broken = lambda conn: conn.execute(text("SELECT * FROM no_such_table")).all()  # noqa: E731
    with pytest.raises(StoreError):
        read_at_once(db, _number(1), broken)  # type: ignore[arg-type]
    db.dispose()
