"""The demo month seeded on first start: fills the report and NPS, and only once."""

from __future__ import annotations

from datetime import datetime

from copilot.analytics.demo import ASKS_PER_DAY, DAYS, seed_demo_month
from copilot.analytics.nps import nps_report
from copilot.analytics.report import build_report
from copilot.audit.log import AuditLog
from copilot.store.engine import Database
from copilot.store.schema import customers


def test_demo_month_fills_the_figures_once(db: Database) -> None:
    with db.begin() as conn:
        conn.execute(customers.insert(), [{"id": f"C{i:03d}", "name": "客户"} for i in range(20)])
    audit = AuditLog(db, redactor=lambda text: text)
    now = datetime(2026, 11, 30, 20)
    written = seed_demo_month(db, audit, now)
    assert written > DAYS * ASKS_PER_DAY
    assert seed_demo_month(db, audit, now) == 0  # a second start seeds nothing
    report = build_report(db, "2026-11", verify_chain=True)
    assert report.integrity.ok
    shown = report.totals.shown + build_report(db, "2026-10").totals.shown
    assert shown == DAYS * ASKS_PER_DAY + DAYS * 6
    assert report.totals.accepted and report.totals.edited and report.totals.rejected
    assert report.communities and report.messages and report.overrides
    assert nps_report(db).overall.answers == 20
