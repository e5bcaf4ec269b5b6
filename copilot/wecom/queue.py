"""The connector's tables: sync cursors and the queue of customer messages.

Every status change is one conditional UPDATE, so two people approving the same item at once
cannot both send it: only the one whose UPDATE matched goes on to ``kf/send_msg``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from copilot.errors import InputError
from copilot.messages import msg
from copilot.store.engine import Database
from copilot.store.schema import wecom_cursors, wecom_queue
from copilot.wecom.models import KfMessage, QueueItem, Status, Suggestion

OPEN: tuple[Status, ...] = ("new", "drafted", "failed")  # a person may still act on these


class WecomQueue:
    """Reads and writes ``wecom_cursors`` and ``wecom_queue``."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = datetime.now) -> None:
        self.db, self.clock = db, clock

    # cursors

    def cursor(self, open_kfid: str) -> str:
        with self.db.begin() as conn:
            value = conn.execute(
                select(wecom_cursors.c.cursor).where(wecom_cursors.c.open_kfid == open_kfid)
            ).scalar()
        return value or ""

    def save_cursor(self, open_kfid: str, cursor: str) -> None:
        row = {"open_kfid": open_kfid, "cursor": cursor, "updated_at": self.clock()}
        with self.db.begin() as conn:
            self.db.upsert(conn, wecom_cursors, [row], ["open_kfid"])

    # items

    def add(self, messages: Sequence[KfMessage]) -> list[QueueItem]:
        """Store customer texts not stored before (by msgid); returns the items this call
        added. Two processes syncing the same page at once (two server replicas) each get only
        the rows their own insert created, so each message is announced and drafted once."""
        fresh = {m.msgid: m for m in messages if m.msgid and m.customer_text}
        if not fresh:
            return []
        with self.db.begin() as conn:
            known = set(
                conn.execute(
                    select(wecom_queue.c.msgid).where(wecom_queue.c.msgid.in_(list(fresh)))
                ).scalars()
            )
            rows = [self._new_row(m) for msgid, m in fresh.items() if msgid not in known]
            if not rows:
                return []
            ids = self.db.insert_new(conn, wecom_queue, rows, wecom_queue.c.id)
            added = conn.execute(
                select(wecom_queue).where(wecom_queue.c.id.in_(ids)).order_by(wecom_queue.c.id)
            ).mappings()
            return [_item(row) for row in added]

    def get(self, item_id: int) -> QueueItem:
        with self.db.begin() as conn:
            row = conn.execute(select(wecom_queue).where(wecom_queue.c.id == item_id)).mappings()
            found = row.first()
        if found is None:
            raise InputError(
                msg(f"找不到队列消息 {item_id}", f"no queue item {item_id}"),
                where="wecom_queue",
            )
        return _item(found)

    def items(
        self, statuses: Sequence[Status] = (), limit: int = 200, after: int = 0
    ) -> list[QueueItem]:
        """Items oldest first, optionally only those in `statuses`; ids above `after` (a page)."""
        query = select(wecom_queue).where(wecom_queue.c.id > after)
        query = query.order_by(wecom_queue.c.id).limit(limit)
        if statuses:
            query = query.where(wecom_queue.c.status.in_(list(statuses)))
        with self.db.begin() as conn:
            return [_item(row) for row in conn.execute(query).mappings()]

    def drafted(
        self, item_id: int, suggestions: Sequence[Suggestion], conn: Connection | None = None
    ) -> bool:
        """Attach suggestions to a new item (inside `conn`'s transaction when given); False when
        it is no longer new: a person acted on it, or another replica drafted it first."""
        payload = json.dumps([s.model_dump() for s in suggestions], ensure_ascii=False)
        return self._move(item_id, ("new",), conn, status="drafted", suggestions=payload)

    def draft_failed(self, item_id: int, error: str) -> bool:
        """Drafting failed: the item stays new (a person can still answer) with the reason;
        False when it is no longer new."""
        return self._move(item_id, ("new",), status="new", last_error=error)

    def claim(self, item_id: int, text: str, approver: str) -> bool:
        """Approve an open item for sending; False when it is not open (sent, being sent…)."""
        return self._move(
            item_id, OPEN, status="approved", approved_text=text, approver=approver, last_error=""
        )

    def sent(self, item_id: int, attempts: int) -> None:
        self._move(item_id, ("approved",), status="sent", attempts=attempts, sent_at=self.clock())

    def send_failed(self, item_id: int, attempts: int, error: str) -> None:
        self._move(item_id, ("approved",), status="failed", attempts=attempts, last_error=error)

    def reject(self, item_id: int, approver: str, reason: str) -> bool:
        return self._move(item_id, OPEN, status="rejected", approver=approver, last_error=reason)

    def _new_row(self, message: KfMessage) -> dict[str, Any]:
        sent = datetime.fromtimestamp(message.send_time) if message.send_time else self.clock()
        return {
            "msgid": message.msgid,
            "open_kfid": message.open_kfid,
            "external_userid": message.external_userid,
            "text": message.customer_text,
            "received_at": sent,
            "status": "new",
        }

    def _move(
        self,
        item_id: int,
        current: Sequence[Status],
        conn: Connection | None = None,
        **values: Any,
    ) -> bool:
        query = (
            update(wecom_queue)
            .where(wecom_queue.c.id == item_id, wecom_queue.c.status.in_(list(current)))
            .values(**values)
        )
        if conn is not None:
            return conn.execute(query).rowcount == 1
        with self.db.begin() as own:
            return own.execute(query).rowcount == 1


def _item(row: Any) -> QueueItem:
    data = dict(row)
    data["suggestions"] = json.loads(data["suggestions"] or "[]")
    return QueueItem.model_validate(data)
