"""Data values in the HTML page, the chart and the 看板 summary are escaped."""

from __future__ import annotations

from copilot.analytics.html import render_html
from copilot.analytics.models import Acceptance, CommunityCadence, Integrity, MonthlyReport
from copilot.ui.dashboard_tab import summary_html

HOSTILE = '<img src=x onerror="alert(1)">'


def _report() -> MonthlyReport:
    part = Acceptance(shown=2, accepted=1, rejected=1)
    return MonthlyReport(
        month="2026-11", start="2026-11-01", end="2026-11-30",
        integrity=Integrity(unreadable_rows=1, unreadable_ids=[7], chain_problems=[HOSTILE]),
        totals=part, by_day={HOSTILE: part}, by_week={}, by_task={HOSTILE: part},
        by_prompt_version={}, by_backend={}, by_agent={HOSTILE: part}, by_community={},
        by_source={}, reject_reasons={HOSTILE: 1}, verdicts={}, rules=[], overrides=[],
        communities=[CommunityCadence(community=HOSTILE, daily_cap=2, days_with_posts=1, posts=1,
                                      marketing_posts=0, max_posts_per_day=1, days_over_cap=0)],
        messages=[],
    )  # fmt: skip


def test_html_page_and_dashboard_summary_escape_every_value() -> None:
    for page in (render_html(_report()), summary_html(_report(), 12.5, 3)):
        assert "<img" not in page
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
