"""The workbench's audit browser and export on a damaged log: readable events are shown, the
damaged rows are counted, nothing fails."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import text

from copilot.audit.log import AuditLog, HumanAction
from copilot.store.engine import Database
from copilot.ui.compliance_tab import ComplianceTab
from copilot.ui.i18n import Texts


def test_browser_and_export_name_damaged_rows(db: Database, tmp_path: Path) -> None:
    log = AuditLog(db, redactor=lambda t: t)
    for name in ("a", "b", "c"):
        log.record(HumanAction(draft_id=name, action="accepted"))
    with db.engine.begin() as conn:
        if db.dialect == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE audit_events SET payload = '{' WHERE id = 2"))
    wb = SimpleNamespace(copilot=SimpleNamespace(audit=log), exports_dir=tmp_path)
    tab = ComplianceTab(wb, Texts("zh"))  # type: ignore[arg-type]
    count, rows = tab.audit([], "", "", "")
    assert [row[0] for row in rows] == [3, 1]
    assert count.startswith("2 ") and "1 条损坏" in count
    message, path = tab.export("", "")
    assert path is not None and "1 条损坏" in message
