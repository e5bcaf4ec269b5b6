"""The 私聊触达 tab's progress label counts the workers drafting a campaign now."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from copilot.campaigns.claims import ClaimStore
from copilot.store.engine import Database
from copilot.ui.i18n import Texts
from copilot.ui.outreach_tab import OutreachTab


def test_the_progress_label_counts_live_workers(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'siyu.db'}")
    tab = OutreachTab(SimpleNamespace(copilot=SimpleNamespace(db=db)), Texts("en"))  # type: ignore[arg-type]
    assert tab._label("c1") == "c1"  # one process (SQLite): nothing to add
    with db.begin() as conn:
        ClaimStore(db, "c1", "", 60).seed(conn, ["A", "B", "C"], done=set())
    for worker in ("host-1", "host-2"):
        ClaimStore(db, "c1", worker, 60).claim(1)
    assert tab._label("c1") == "c1 · workers drafting now 2"
    assert OutreachTab(tab.wb, Texts("zh"))._label("c1") == "c1 · 起草中的 worker 2"
    db.dispose()
