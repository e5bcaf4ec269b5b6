"""Suggestions shown in a period and what people did with them, sliced by dimension.

The cohort is the drafts created in [start, end); each is joined to the first decision a
person recorded on it (accepted / edited / rejected), whenever that came. One grouped query
returns a row per distinct (day, agent, draft fields, decision fields); everything else is
rolled up in Python from those few rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from copilot.analytics.editdistance import diff_distance
from copilot.analytics.models import Acceptance
from copilot.analytics.sql import Sql, decode
from copilot.customers.schema import audit_events

DRAFT_FIELDS = ("task", "prompt_version", "backend", "community", "verdict", "needs_human")
DECISION_FIELDS = ("action", "reason")
DIMENSIONS = ("task", "prompt_version", "backend", "agent", "community")
NONE_LABEL = "（无）"


@dataclass
class AcceptanceFigures:
    totals: Acceptance = field(default_factory=Acceptance)
    by_day: dict[str, Acceptance] = field(default_factory=dict)
    by_week: dict[str, Acceptance] = field(default_factory=dict)
    by: dict[str, dict[str, Acceptance]] = field(
        default_factory=lambda: {d: {} for d in (*DIMENSIONS, "source")}
    )
    reject_reasons: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)


def _label(value: Any) -> str:
    return NONE_LABEL if value is None or value == "" else str(value)


def _iso_week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def _slice(counts: dict[str, Any]) -> Acceptance:
    action = counts.get("action")
    n = int(counts["n"])
    return Acceptance(
        shown=n,
        accepted=n if action == "accepted" else 0,
        edited=n if action == "edited" else 0,
        rejected=n if action == "rejected" else 0,
        needs_human=n if counts.get("needs_human") in (True, 1) else 0,
        decision_seconds_sum=float(counts.get("seconds") or 0.0) if action else 0.0,
    )


def _merge(target: dict[str, Acceptance], key: str, part: Acceptance) -> None:
    target.setdefault(key, Acceptance()).add(part)


class AcceptanceQuery:
    """Runs the cohort queries for one period on one connection."""

    def __init__(self, conn: Connection, start: datetime, end: datetime) -> None:
        self.conn, self.start, self.end = conn, start, end
        self.sql = Sql(conn.dialect.name)
        d = audit_events.alias("d")
        self.d = d
        first = (
            select(audit_events.c.subject, func.min(audit_events.c.id).label("id"))
            .where(audit_events.c.kind == "human_action")
            .group_by(audit_events.c.subject)
            .cte("first_decision")
        )
        self.h = audit_events.alias("h")
        self.cohort = d.outerjoin(first, first.c.subject == d.c.subject).outerjoin(
            self.h, and_(self.h.c.id == first.c.id, self.sql.readable(self.h.c.payload))
        )
        self.window = and_(
            d.c.kind == "draft_created",
            d.c.at >= start,
            d.c.at < end,
            self.sql.readable(d.c.payload),
        )

    def _grouped(self) -> Iterator[dict[str, Any]]:
        d, h, sql = self.d, self.h, self.sql
        keys = [
            sql.day(d.c.at).label("day"),
            d.c.actor.label("agent"),
            sql.fields(d.c.payload, DRAFT_FIELDS).label("draft"),
            sql.fields(h.c.payload, DECISION_FIELDS).label("decision"),
        ]
        query = (
            select(
                *keys,
                func.count().label("n"),
                func.sum(sql.seconds(h.c.at, d.c.at)).label("seconds"),
            )
            .select_from(self.cohort)
            .where(self.window)
            .group_by(*keys)
        )
        for row in self.conn.execute(query).mappings():
            counts: dict[str, Any] = dict(zip(DRAFT_FIELDS, decode(row["draft"], 6), strict=True))
            decided = decode(row["decision"], 2) if row["decision"] is not None else [None, None]
            counts.update(zip(DECISION_FIELDS, decided, strict=True))
            counts.update(day=row["day"], agent=row["agent"], n=row["n"], seconds=row["seconds"])
            yield counts

    def _edits(self) -> Iterator[tuple[dict[str, Any], int]]:
        d, h, sql = self.d, self.h, self.sql
        query = (
            select(
                sql.day(d.c.at).label("day"),
                d.c.actor.label("agent"),
                sql.fields(d.c.payload, DRAFT_FIELDS).label("draft"),
                sql.field(h.c.payload, "diff").label("diff"),
            )
            .select_from(self.cohort)
            .where(self.window, sql.field(h.c.payload, "action") == "edited")
        )
        for row in self.conn.execute(query).mappings():
            distance = diff_distance(row["diff"] or "")
            if distance is not None:
                counts = dict(zip(DRAFT_FIELDS, decode(row["draft"], 6), strict=True))
                counts.update(day=row["day"], agent=row["agent"])
                yield counts, distance

    def _sources(self) -> Iterator[tuple[str, dict[str, Any]]]:
        d, h, sql = self.d, self.h, self.sql
        source = sql.elements(d.c.payload, "sources")
        action = sql.field(h.c.payload, "action").label("action")
        needs = sql.field(d.c.payload, "needs_human").label("needs_human")
        query = (
            select(
                source.c.value.label("source"),
                action,
                needs,
                func.count().label("n"),
                func.sum(sql.seconds(h.c.at, d.c.at)).label("seconds"),
            )
            .select_from(self.cohort.join(source, source.c.value.is_not(None)))
            .where(self.window)
            .group_by(source.c.value, action, needs)
        )
        for row in self.conn.execute(query).mappings():
            counts = dict(row)
            counts["needs_human"] = counts["needs_human"] in (True, 1, "true", "1")
            yield str(row["source"]), counts

    def run(self) -> AcceptanceFigures:
        figures = AcceptanceFigures()
        for counts in self._grouped():
            part = _slice(counts)
            figures.totals.add(part)
            _merge(figures.by_day, counts["day"], part)
            _merge(figures.by_week, _iso_week(counts["day"]), part)
            for dim in DIMENSIONS:
                _merge(figures.by[dim], _label(counts[dim]), part)
            figures.verdicts[_label(counts["verdict"])] += part.shown
            if counts["action"] == "rejected":
                figures.reject_reasons[_label(counts["reason"])] += part.shown
        for counts, distance in self._edits():
            edit = Acceptance(edit_distance_sum=distance, edits_measured=1)
            figures.totals.add(edit)
            _merge(figures.by_day, counts["day"], edit)
            _merge(figures.by_week, _iso_week(counts["day"]), edit)
            for dim in DIMENSIONS:
                _merge(figures.by[dim], _label(counts[dim]), edit)
        for source, counts in self._sources():
            _merge(figures.by["source"], source, _slice(counts))
        return figures


def by_key(slices: dict[str, Acceptance]) -> dict[str, Acceptance]:
    """Slices in key order (days, weeks and labels read top to bottom)."""
    return dict(sorted(slices.items()))


def largest_first(counts: Counter[str]) -> dict[str, int]:
    return dict(counts.most_common())
