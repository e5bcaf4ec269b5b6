"""`Database.exclusive`: one holder at a time among every user of the same SQLite file
(PostgreSQL's advisory lock is exercised by the server replicas' integration test)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from copilot.store.engine import Database


def test_a_second_holder_waits_for_the_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'siyu.db'}"
    first, second = Database(url), Database(url)
    order: list[str] = []
    held = threading.Event()

    def hold() -> None:
        with first.exclusive("serve-start"):
            held.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    with second.exclusive("serve-start"):
        order.append("second in")
    with second.exclusive("another-lock"):  # other names do not wait
        pass
    thread.join()
    assert order == ["first done", "second in"]


def test_an_in_memory_database_needs_no_lock_file(tmp_path: Path) -> None:
    db = Database("sqlite:///:memory:")
    with db.exclusive("serve-start"):
        pass
    assert list(tmp_path.iterdir()) == []
