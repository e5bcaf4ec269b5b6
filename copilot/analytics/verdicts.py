"""Guardrail verdicts by rule, and the rules people overrode (a reply or post kept despite a
block)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.engine import Connection

from copilot.analytics.models import OverrideCount, RuleCount
from copilot.analytics.sql import Sql
from copilot.customers.schema import audit_events

OVERRIDE_KINDS = {"human_action": "reply", "post_scheduled": "post"}


def _in_window(start: datetime, end: datetime, sql: Sql) -> list[ColumnElement[bool]]:
    e = audit_events.c
    return [e.at >= start, e.at < end, sql.readable(e.payload)]


def rules_fired(conn: Connection, start: datetime, end: datetime) -> list[RuleCount]:
    """Rules that fired on the drafts of the period, by the draft's verdict; most first."""
    sql = Sql(conn.dialect.name)
    e = audit_events.c
    rule = sql.elements(e.payload, "rules")
    verdict = sql.field(e.payload, "verdict").label("verdict")
    query = (
        select(rule.c.value.label("rule"), verdict, func.count().label("n"))
        .select_from(audit_events.join(rule, rule.c.value.is_not(None)))
        .where(and_(e.kind == "draft_created", *_in_window(start, end, sql)))
        .group_by(rule.c.value, verdict)
    )
    rows = [
        RuleCount(rule=str(r.rule), verdict=str(r.verdict), count=int(r.n))
        for r in conn.execute(query)
    ]
    return sorted(rows, key=lambda r: (-r.count, r.rule, r.verdict))


def overrides(conn: Connection, start: datetime, end: datetime) -> list[OverrideCount]:
    """Rules a person overrode in the period, on replies and on scheduled posts; most first."""
    sql = Sql(conn.dialect.name)
    e = audit_events.c
    rule = sql.elements(e.payload, "overrode")
    query = (
        select(rule.c.value.label("rule"), e.kind, func.count().label("n"))
        .select_from(audit_events.join(rule, rule.c.value.is_not(None)))
        .where(and_(e.kind.in_(sorted(OVERRIDE_KINDS)), *_in_window(start, end, sql)))
        .group_by(rule.c.value, e.kind)
    )
    rows = [
        OverrideCount(rule=str(r.rule), kind=OVERRIDE_KINDS[r.kind], count=int(r.n))
        for r in conn.execute(query)
    ]
    return sorted(rows, key=lambda r: (-r.count, r.rule, r.kind))
