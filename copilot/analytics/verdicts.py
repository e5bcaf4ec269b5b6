"""Guardrail verdicts by rule, and the rules people overrode (a reply or post kept despite a
block).

Few events carry rules, so both counts start from the tag rows and look each tagged event up by
its key (a correlated lookup, so SQLite and PostgreSQL alike read only the tagged events; a join
let PostgreSQL scan every event of the month instead: 1M events, 1.2 s of server CPU).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from copilot.analytics.models import OverrideCount, RuleCount
from copilot.analytics.tables_db import facts, tags

OVERRIDE_KINDS = {"human_action": "reply", "post_scheduled": "post"}


def _tagged(
    conn: Connection, tag: str, kinds: list[str], column: Any, start: datetime, end: datetime
) -> list[tuple[str, str, int]]:
    """(tag value, the tagged event's `column`, count) over the tag rows whose event is of
    `kinds` and in [start, end) (tags of other events are looked up, then dropped)."""
    f, t = facts.c, tags.c
    looked_up = (
        select(column)
        .where(f.event_id == t.event_id, f.kind.in_(kinds), f.at >= start, f.at < end)
        .scalar_subquery()
    )
    rows = select(t.value, looked_up.label("of")).where(t.tag == tag).subquery()
    query = select(rows.c.value, rows.c.of, func.count()).group_by(rows.c.value, rows.c.of)
    return [(str(v), str(of), int(n)) for v, of, n in conn.execute(query) if of is not None]


def rules_fired(conn: Connection, start: datetime, end: datetime) -> list[RuleCount]:
    """Rules that fired on the drafts of the period, by the draft's verdict; most first."""
    rows = [
        RuleCount(rule=rule, verdict=verdict, count=n)
        for rule, verdict, n in _tagged(
            conn, "rule", ["draft_created"], facts.c.verdict, start, end
        )
    ]
    return sorted(rows, key=lambda r: (-r.count, r.rule, r.verdict))


def overrides(conn: Connection, start: datetime, end: datetime) -> list[OverrideCount]:
    """Rules a person overrode in the period, on replies and on scheduled posts; most first."""
    kinds = sorted(OVERRIDE_KINDS)
    rows = [
        OverrideCount(rule=rule, kind=OVERRIDE_KINDS[kind], count=n)
        for rule, kind, n in _tagged(conn, "overrode", kinds, facts.c.kind, start, end)
    ]
    return sorted(rows, key=lambda r: (-r.count, r.rule, r.kind))
