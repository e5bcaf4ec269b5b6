"""Two processes on one database both drafting the same new item (one resuming after a start
while the other drafts it): only the first one's suggestions and draft events are kept."""

from __future__ import annotations

from pathlib import Path

from copilot.audit.log import AuditLog
from copilot.store.engine import Database
from copilot.wecom import WecomConnector
from tests.unit.wecom.test_connector import SETTINGS, FakeClient, drafted, text


def test_an_item_drafted_by_another_replica_first_records_nothing_more(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    replicas = []
    for _ in range(2):
        db = Database(url)
        audit = AuditLog(db, redactor=lambda t: t)
        replicas.append(WecomConnector(SETTINGS, db, audit, drafted, client=FakeClient()))
    first, second = replicas
    (item,) = first.queue.add([text("a", "你好")])
    first._draft(item)
    suggestions = first.queue.get(item.id).suggestions
    second._draft(item)  # the same item, as it was when this replica resumed it
    assert second.queue.get(item.id).suggestions == suggestions
    drafts = list(second.audit.events(kinds={"draft_created"}))
    assert sorted(r.subject for r in drafts) == sorted(s.draft_id for s in suggestions)
    for connector in replicas:
        connector.close()
        connector.queue.db.dispose()
