"""Suggestions shown in a period and what people did with them, sliced by dimension.

The cohort is the drafts created in [start, end), each with the first decision a person took
on it (accepted / edited / rejected), whenever that came. One grouped query returns a row per
distinct (day, agent, draft fields, decision); the slices are rolled up from those rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.engine import Connection

from copilot.analytics.models import Acceptance
from copilot.analytics.sync import SOURCE_SEPARATOR
from copilot.analytics.tables_db import facts

DIMENSIONS = ("task", "prompt_version", "backend", "actor", "community")
NONE_LABEL = "（无）"


Counts = list[float]  # shown, accepted, edited, rejected, needs human, seconds, distance, measured
FIELDS = (
    "shown", "accepted", "edited", "rejected", "needs_human",
    "decision_seconds_sum", "edit_distance_sum", "edits_measured",
)  # fmt: skip


@dataclass
class AcceptanceFigures:
    totals: Acceptance
    by_day: dict[str, Acceptance]
    by_week: dict[str, Acceptance]
    by: dict[str, dict[str, Acceptance]]
    reject_reasons: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)


def _label(value: Any) -> str:
    return NONE_LABEL if value is None or value == "" else str(value)


def _figures() -> list[Any]:
    f = facts.c
    return [
        func.count().label("n"),
        func.sum(f.decision_seconds).label("seconds"),
        func.sum(f.edit_distance).label("distance"),
        func.count(f.edit_distance).label("measured"),
    ]


def _counts(row: Any) -> Counts:
    n = int(row.n)
    return [
        n, n if row.action == "accepted" else 0, n if row.action == "edited" else 0,
        n if row.action == "rejected" else 0, n if row.needs_human else 0,
        float(row.seconds or 0.0), int(row.distance or 0), int(row.measured),
    ]  # fmt: skip


def _merge(target: dict[str, Counts], key: str, part: Counts) -> None:
    into = target.setdefault(key, [0] * len(FIELDS))
    for i, value in enumerate(part):
        into[i] += value


def _model(counts: Counts) -> Acceptance:
    values = dict(zip(FIELDS, counts, strict=True))
    return Acceptance.model_validate({k: v if k == "decision_seconds_sum" else int(v)
                                      for k, v in values.items()})  # fmt: skip


def _models(slices: dict[str, Counts]) -> dict[str, Acceptance]:
    """Slices in key order (days, weeks and labels read top to bottom)."""
    return {key: _model(slices[key]) for key in sorted(slices)}


def drafts_in(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """Drafts of [start, end) given as midnights (by day, so the covering indexes serve)."""
    f = facts.c
    return [f.kind == "draft_created", f.day >= start.date().isoformat(),
            f.day < end.date().isoformat()]  # fmt: skip


def acceptance(conn: Connection, start: datetime, end: datetime) -> AcceptanceFigures:
    f = facts.c
    keys = [
        f.day,
        f.week,
        *(f[d] for d in DIMENSIONS),
        f.verdict,
        f.needs_human,
        f.action,
        f.reason,
    ]
    totals: dict[str, Counts] = {}
    by_day: dict[str, Counts] = {}
    by_week: dict[str, Counts] = {}
    by: dict[str, dict[str, Counts]] = {d: {} for d in (*DIMENSIONS, "source")}
    reasons: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    grouped = select(*keys, *_figures()).where(*drafts_in(start, end)).group_by(*keys)
    for row in conn.execute(grouped):
        part = _counts(row)
        _merge(totals, "", part)
        _merge(by_day, row.day, part)
        _merge(by_week, row.week, part)
        for dim in DIMENSIONS:
            _merge(by[dim], _label(row._mapping[dim]), part)
        verdicts[_label(row.verdict)] += row.n
        if row.action == "rejected":
            reasons[_label(row.reason)] += row.n
    source_keys = [f.sources, f.needs_human, f.action]
    sources = select(*source_keys, *_figures()).where(*drafts_in(start, end)).group_by(*source_keys)
    for row in conn.execute(sources):
        part = _counts(row)
        for source in row.sources.split(SOURCE_SEPARATOR) if row.sources else []:
            _merge(by["source"], source, part)
    return AcceptanceFigures(
        totals=_model(totals.get("", [0] * len(FIELDS))),
        by_day=_models(by_day),
        by_week=_models(by_week),
        by={dim: _models(slices) for dim, slices in by.items()},
        reject_reasons=reasons,
        verdicts=verdicts,
    )


def largest_first(counts: Counter[str]) -> dict[str, int]:
    return dict(counts.most_common())
