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


def test_two_processes_syncing_the_same_page_each_add_only_their_own_rows(pg_url: str) -> None:
    """Two server replicas pull the same kf/sync_msg page at once: every message becomes one
    item, returned (announced and drafted) by exactly one of them."""
    url = _database(pg_url, "siyu_wecom_replicas")
    replicas = [WecomQueue(Database(url)), WecomQueue(Database(url))]
    page = [message(f"m{n:03d}") for n in range(40)]
    added: list[list[str]] = [[], []]
    barrier = threading.Barrier(2)

    def pull(n: int) -> None:
        barrier.wait()
        for start in range(0, len(page), 5):  # small pages interleave the two writers
            added[n] += [i.msgid for i in replicas[n].add(page[start : start + 5])]

    threads = [threading.Thread(target=pull, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(added[0] + added[1]) == [m.msgid for m in page]
    assert len(replicas[0].items(limit=100)) == 40
    for queue in replicas:
        queue.db.dispose()
