from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from copilot.audit.log import (
    AuditLog,
    CampaignRun,
    ConsentChange,
    DraftCreated,
    HumanAction,
    PostScheduled,
)
from copilot.store.engine import Database

PHONE = "13800138000"


def fake_redact(text: str) -> str:
    return text.replace(PHONE, "<手机号>")


class Clock:
    def __init__(self, *times: datetime) -> None:
        self.times = list(times)

    def __call__(self) -> datetime:
        return self.times.pop(0)


def draft(text: str = f"您好，请回电 {PHONE}") -> DraftCreated:
    return DraftCreated(draft_id="d1", task="message", verdict="pass", text=text, sources=["a.md"])


@pytest.mark.parametrize(
    ("event", "field", "expected"),
    [
        (draft(), "text", "您好，请回电 <手机号>"),
        (
            HumanAction(draft_id="d1", action="edited", diff=f"-{PHONE}\n+稍后联系"),
            "diff",
            "-<手机号>\n+稍后联系",
        ),
        (
            HumanAction(draft_id="d1", action="rejected", reason=f"含电话 {PHONE}"),
            "reason",
            "含电话 <手机号>",
        ),
        (
            PostScheduled(
                community="宝妈群",
                scheduled_at=datetime(2026, 11, 3, 10),
                post_type="tips",
                text=f"联系 {PHONE}",
            ),
            "text",
            "联系 <手机号>",
        ),
    ],
)
def test_free_text_is_stored_redacted(db: Database, event, field: str, expected: str) -> None:
    log = AuditLog(db, redactor=fake_redact)
    log.record(event, actor="op1")
    (stored,) = list(log.events())
    assert getattr(stored.event, field) == expected
    assert stored.actor == "op1"


def test_events_filtered_by_half_open_range_and_kind(db: Database) -> None:
    clock = Clock(datetime(2026, 10, 31, 23), datetime(2026, 11, 1), datetime(2026, 12, 1))
    log = AuditLog(db, redactor=fake_redact, clock=clock)
    log.record(draft())
    log.record(
        ConsentChange(
            customer_id="C1",
            purpose="birthday_greeting",
            action="withdrawn",
            effective_at=datetime(2026, 11, 1),
        )
    )
    log.record(
        CampaignRun(
            campaign_id="c",
            playbook="birthday",
            purpose="birthday_greeting",
            audience=1,
            drafted=1,
            excluded=0,
            blocked=0,
            errors=0,
        )
    )
    november = list(log.events(datetime(2026, 11, 1), datetime(2026, 12, 1)))
    assert [r.event.kind for r in november] == ["consent_change"]
    assert [r.subject for r in log.events(kinds={"campaign_run"})] == ["c"]


def test_export_csv_has_one_row_per_event(db: Database, tmp_path: Path) -> None:
    log = AuditLog(db, redactor=fake_redact)
    log.record(draft())
    log.record(HumanAction(draft_id="d1", action="accepted"), actor="op1")
    out = tmp_path / "audit.csv"
    assert log.export_csv(out, None, None).count == 2
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["kind"] for r in rows] == ["draft_created", "human_action"]
    assert PHONE not in out.read_text(encoding="utf-8-sig")
    assert json.loads(rows[1]["payload"])["action"] == "accepted"


def test_event_models_reject_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        HumanAction(draft_id="d1", action="accepted", note="x")  # type: ignore[call-arg]


def test_no_code_path_updates_or_deletes_audit_events() -> None:
    """Only migration m003 writes to stored events: it fills in the hash columns, once."""
    package = Path(__file__).resolve().parents[3] / "copilot"
    pattern = re.compile(
        r"audit_events\.(update|delete)\(|(update|delete)\((schema\.)?audit_events\b"
        r"|(UPDATE|DELETE FROM)\s+audit_events"
    )
    offenders = {
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    }
    assert offenders == {"store/migrations/m003_audit_hash_chain.py"}


def test_edit_is_recorded_as_a_redacted_unified_diff(db: Database) -> None:
    log = AuditLog(db, redactor=fake_redact)
    before = "您好\n活动今晚结束\n"
    after = f"您好\n活动今晚结束，有问题请拨 {PHONE}\n"
    log.record(HumanAction.edited("d1", before, after, customer_id="C1"), actor="op1")
    (stored,) = list(log.events())
    assert stored.event.diff.splitlines()[:2] == ["--- draft", "+++ edited"]
    assert "+活动今晚结束，有问题请拨 <手机号>" in stored.event.diff
    assert "-活动今晚结束" in stored.event.diff


def test_default_redactor_is_the_guardrails_pii_redaction(db: Database) -> None:
    log = AuditLog(db)
    log.record(draft(f"请回电 {PHONE}"))
    (stored,) = list(log.events())
    assert PHONE not in stored.event.text and stored.event.text.startswith("请回电")
