from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from copilot.audit.log import AuditLog, DraftCreated, HumanAction, PostScheduled
from copilot.compliance.selfcheck import build_selfcheck, month_range, render_html, render_markdown
from copilot.customers.consent import ConsentRegistry
from copilot.messages import language, render
from tests.unit.customers.conftest import NOW


def draft(cid: str, purpose: str, rules: list[str] | None = None, verdict: str = "pass"):
    return DraftCreated(
        draft_id=f"d-{cid}",
        task="message",
        customer_id=cid,
        purpose=purpose,
        verdict=verdict,
        rules=rules or [],
        text="您好",
    )


def consented(registry: ConsentRegistry, purpose: str) -> str:
    states = registry.states()
    return next(c for c, s in states.items() if s.get(purpose) and s[purpose].action == "granted")


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [
        ("2026-11", datetime(2026, 11, 1), datetime(2026, 12, 1)),
        ("2026-12", datetime(2026, 12, 1), datetime(2027, 1, 1)),
    ],
)
def test_month_range(month: str, start: datetime, end: datetime) -> None:
    assert month_range(month) == (start, end)


def test_clean_month_passes(registry: ConsentRegistry) -> None:
    audit = registry.audit
    cid = consented(registry, "birthday_greeting")
    audit.record(draft(cid, "birthday_greeting"))
    audit.record(HumanAction(draft_id=f"d-{cid}", action="accepted"), actor="op")
    audit.record(
        PostScheduled(
            community="宝妈群",
            scheduled_at=NOW,
            post_type="promo",
            marketing=True,
            overrode=["cadence"],
            text="今晚8点直播",
        )
    )
    report = build_selfcheck(registry.db, audit, "2026-11")
    assert report.passed
    with language("zh"):
        markdown = render_markdown(report)
    assert "宝妈群 | 1 | 1 | 100%" in markdown and "1 次由人工放行" in markdown
    assert "passed" not in markdown and "community" not in markdown
    assert "<table" in render_html(report)
    with language("en"):
        english, page = render_markdown(report), render_html(report)
    assert "# Monthly compliance self-check 2026-11" in english
    assert "| community | posts | marketing | share |" in english
    assert "1 released by a person" in english and "宝妈群 | 1 | 1 | 100%" in english
    for chinese in ("通过", "社群", "人工", "审计"):
        assert chinese not in english and chinese not in page
    assert '<html lang="en">' in page


def test_draft_without_consent_and_after_withdrawal_fail(registry: ConsentRegistry) -> None:
    cid = consented(registry, "marketing_personalisation")
    registry.change(cid, "marketing_personalisation", "withdrawn", source="私信", actor="op")
    clock = iter([datetime(2026, 11, 20), datetime(2026, 11, 21)])
    audit = AuditLog(registry.db, redactor=lambda t: t, clock=lambda: next(clock))
    audit.record(draft(cid, "marketing_personalisation", rules=["pii"], verdict="block"))
    audit.record(HumanAction(draft_id=f"d-{cid}", action="edited", diff="-a\n+b"))
    report = build_selfcheck(registry.db, registry.audit, "2026-11")
    assert not report.passed
    titles = [s.title for s in report.sections if s.ok is False]
    assert len(titles) == 2
    assert "1 条草稿、1 条被采用" in render(report.sections[1].summary, "zh")
    assert "1 drafts, 1 accepted" in render(report.sections[1].summary, "en")
    assert "1 条草稿因个人信息被拦截" in render(report.sections[-1].summary, "zh")


def test_a_draft_made_just_before_a_withdrawal_had_consent(registry: ConsentRegistry) -> None:
    cid = consented(registry, "birthday_greeting")
    registry.clock = lambda: NOW + timedelta(minutes=2)
    registry.change(cid, "birthday_greeting", "withdrawn", source="私信", actor="op")
    registry.audit.record(draft(cid, "birthday_greeting"))  # recorded at NOW, 2 minutes before
    report = build_selfcheck(registry.db, registry.audit, "2026-11")
    assert report.sections[1].ok and report.sections[2].ok, render_markdown(report)
