"""The monthly report: every figure of `siyu report`, the 看板 tab and the HTML page."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from copilot.analytics.acceptance import acceptance, by_source, largest_first
from copilot.analytics.cadence import messages_by_week, posts_by_community
from copilot.analytics.integrity import unreadable, with_chain
from copilot.analytics.models import MonthlyReport
from copilot.analytics.parallel import read_at_once
from copilot.analytics.sync import FactSync
from copilot.analytics.verdicts import overrides, rules_fired
from copilot.audit.log import chain as audit_chain
from copilot.errors import InputError
from copilot.messages import msg
from copilot.store.engine import Database

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[first day 00:00, next month's first day 00:00) of "YYYY-MM"."""
    match = MONTH.match(month.strip())
    if not match:
        raise InputError(
            msg(f"月份格式不对：{month!r}", f"not a month: {month!r}"),
            where="month",
            hint=msg("写成 YYYY-MM，例如 2026-11", "write it as YYYY-MM, e.g. 2026-11"),
        )
    year, number = int(match[1]), int(match[2])
    start = datetime(year, number, 1)
    end = datetime(year + number // 12, number % 12 + 1, 1)
    return start, end


def build_report(db: Database, month: str, *, verify_chain: bool = False) -> MonthlyReport:
    """All figures of `month`; a damaged log is reported in `integrity`, never raised."""
    start, end = month_bounds(month)
    last_day: date = (end - timedelta(days=1)).date()
    FactSync(db).run()
    figures, (integrity, sources, rules, overridden, posts, messages) = read_at_once(
        db,
        lambda conn: acceptance(conn, start, end),
        lambda conn: (
            unreadable(conn, start, end),
            by_source(conn, start, end),
            rules_fired(conn, start, end),
            overrides(conn, start, end),
            posts_by_community(conn, start.date(), last_day),
            messages_by_week(conn, start, end),
        ),
    )
    if verify_chain:
        integrity = with_chain(integrity, audit_chain.verify(db))
    by = figures.by
    return MonthlyReport(
        month=month.strip(),
        start=start.date().isoformat(),
        end=last_day.isoformat(),
        integrity=integrity,
        totals=figures.totals,
        by_day=figures.by_day,
        by_week=figures.by_week,
        by_task=by["task"],
        by_prompt_version=by["prompt_version"],
        by_backend=by["backend"],
        by_agent=by["actor"],
        by_community=by["community"],
        by_source=sources,
        reject_reasons=largest_first(figures.reject_reasons),
        verdicts=largest_first(figures.verdicts),
        rules=rules,
        overrides=overridden,
        communities=posts,
        messages=messages,
    )
