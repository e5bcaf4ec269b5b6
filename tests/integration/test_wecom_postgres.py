"""The WeCom queue on a real PostgreSQL: one item per msgid and one winner among concurrent
approvals, as on SQLite."""

from __future__ import annotations

import threading

import pytest

from copilot.store.engine import Database
from copilot.wecom.models import KfMessage, KfText
from copilot.wecom.queue import WecomQueue
from tests.integration.test_postgres import _database, pg_url

pytestmark = pytest.mark.integration
__all__ = ["pg_url"]  # the PostgreSQL server fixture


def message(msgid: str) -> KfMessage:
    return KfMessage(
        msgid=msgid,
        open_kfid="wk1",
        external_userid="wm1",
        send_time=1764460800,
        origin=3,
        msgtype="text",
        text=KfText(content="退货运费谁承担?"),
    )


def test_queue_on_postgresql(pg_url: str) -> None:
    db = Database(_database(pg_url, "siyu_wecom"))
    queue = WecomQueue(db)
    added = queue.add([message("a"), message("b"), message("a")])
    assert [i.msgid for i in added] == ["a", "b"]
    assert queue.add([message("b"), message("c")])[0].msgid == "c"
    assert [i.msgid for i in queue.items()] == ["a", "b", "c"]

    queue.save_cursor("wk1", "c1")
    queue.save_cursor("wk1", "c2")
    assert queue.cursor("wk1") == "c2"

    wins: list[bool] = []
    barrier = threading.Barrier(6)

    def claim(n: int) -> None:
        barrier.wait()
        wins.append(queue.claim(added[0].id, f"reply {n}", f"agent-{n}"))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 5 + [True]
    assert queue.get(added[0].id).status == "approved"
    db.dispose()
