"""Guardrail verdicts by rule, and the rules people overrode (a reply or post kept despite a
block)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.engine import Connection

from copilot.analytics.models import OverrideCount, RuleCount
from copilot.analytics.tables_db import facts, tags

OVERRIDE_KINDS = {"human_action": "reply", "post_scheduled": "post"}


def _tagged(tag: str) -> object:
    return facts.join(tags, (tags.c.event_id == facts.c.event_id) & (tags.c.tag == tag))


def _kind(kind: str | list[str]) -> ColumnElement[bool]:
    """The event kind filter written so no index serves it (``kind || ''``): the database then
    reads the few tag rows first and looks each event up by its key, instead of walking every
    event of the month through the (kind, at) index (SQLite: 0.34 s → 0.09 s on 1M events)."""
    kind_text = facts.c.kind.concat("")
    return kind_text.in_(kind) if isinstance(kind, list) else kind_text == kind


def rules_fired(conn: Connection, start: datetime, end: datetime) -> list[RuleCount]:
    """Rules that fired on the drafts of the period, by the draft's verdict; most first."""
    f, t = facts.c, tags.c
    query = (
        select(t.value, f.verdict, func.count().label("n"))
        .select_from(_tagged("rule"))  # type: ignore[arg-type]
        .where(_kind("draft_created"), f.at >= start, f.at < end)
        .group_by(t.value, f.verdict)
    )
    rows = [RuleCount(rule=r.value, verdict=r.verdict, count=r.n) for r in conn.execute(query)]
    return sorted(rows, key=lambda r: (-r.count, r.rule, r.verdict))


def overrides(conn: Connection, start: datetime, end: datetime) -> list[OverrideCount]:
    """Rules a person overrode in the period, on replies and on scheduled posts; most first."""
    f, t = facts.c, tags.c
    query = (
        select(t.value, f.kind, func.count().label("n"))
        .select_from(_tagged("overrode"))  # type: ignore[arg-type]
        .where(_kind(sorted(OVERRIDE_KINDS)), f.at >= start, f.at < end)
        .group_by(t.value, f.kind)
    )
    rows = [
        OverrideCount(rule=r.value, kind=OVERRIDE_KINDS[r.kind], count=r.n)
        for r in conn.execute(query)
    ]
    return sorted(rows, key=lambda r: (-r.count, r.rule, r.kind))
