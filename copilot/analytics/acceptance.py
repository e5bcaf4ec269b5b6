"""Suggestions shown in a period and what people did with them, sliced by dimension.

The cohort is the drafts created in [start, end), each with the first decision a person took
on it (accepted / edited / rejected), whenever that came. One grouped query returns a row per
distinct (day, agent, draft fields, decision), read in the covering index's order so the
database aggregates as it reads; the slices are summed from those rows with numpy (one
``np.unique`` per dimension). Knowledge sources come from a second grouped query by day
(``by_source``), on PostgreSQL read beside the first (``parallel.read_at_once``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.engine import Connection

from copilot.analytics.models import Acceptance
from copilot.analytics.rows import columns
from copilot.analytics.sync import SOURCE_SEPARATOR
from copilot.analytics.tables_db import facts

DIMENSIONS = ("task", "prompt_version", "backend", "actor", "community")
NONE_LABEL = "（无）"
FIELDS = (
    "shown", "accepted", "edited", "rejected", "needs_human",
    "decision_seconds_sum", "edit_distance_sum", "edits_measured",
)  # fmt: skip
DECISIONS = ("accepted", "edited", "rejected")


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


def _measures(
    n: np.ndarray, action: list[str], needs_human: list[Any], rest: list[Any]
) -> np.ndarray:
    """One row of FIELDS per grouped row (n rows with that action, needs-human flag and sums)."""
    acted = np.array(action, dtype=object)
    columns = [n, *(np.where(acted == a, n, 0) for a in DECISIONS)]
    columns.append(np.where(np.array(needs_human, dtype=bool), n, 0))
    columns += [np.array([v or 0 for v in values], dtype=np.float64) for values in rest]
    return np.column_stack(columns).astype(np.float64)


def _rollup(labels: list[str], measures: np.ndarray) -> dict[str, Acceptance]:
    """The measures summed per label, as slices in label order (days, weeks, names)."""
    names, codes = np.unique(np.array(labels, dtype=str), return_inverse=True)
    sums = np.zeros((len(names), len(FIELDS)))
    np.add.at(sums, codes, measures)
    return {str(name): _model(row) for name, row in zip(names, sums, strict=True)}


def _model(row: np.ndarray) -> Acceptance:
    values = {name: float(v) if name == "decision_seconds_sum" else round(v)
              for name, v in zip(FIELDS, row.tolist(), strict=True)}  # fmt: skip
    return Acceptance.model_validate(values)


def drafts_in(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """Drafts of [start, end) given as midnights (by day, so the covering indexes serve)."""
    f = facts.c
    return [f.kind == "draft_created", f.day >= start.date().isoformat(),
            f.day < end.date().isoformat()]  # fmt: skip


def _columns(conn: Connection, keys: list[Any], start: datetime, end: datetime) -> list[list[Any]]:
    """The grouped rows of `keys` plus the figures, as columns; grouped in the covering
    index's order (day first), so the database aggregates while it reads."""
    query = select(*keys, *_figures()).where(*drafts_in(start, end)).group_by(*keys)
    rows = conn.execute(query).all()
    return columns(rows, len(keys) + 4)


def acceptance(conn: Connection, start: datetime, end: datetime) -> AcceptanceFigures:
    f = facts.c
    keys = [f.day, f.week, *(f[d] for d in DIMENSIONS), f.verdict, f.needs_human, f.action,
            f.reason]  # fmt: skip
    columns = _columns(conn, keys, start, end)
    day, week = columns[:2]
    dims = columns[2 : 2 + len(DIMENSIONS)]
    verdict, needs_human, action, reason, n, *rest = columns[2 + len(DIMENSIONS) :]
    counts = np.array(n, dtype=np.float64)
    measures = _measures(counts, action, needs_human, rest)
    verdicts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for value, rows, acted, why in zip(verdict, n, action, reason, strict=True):
        verdicts[_label(value)] += rows
        if acted == "rejected":
            reasons[_label(why)] += rows
    by = {dim: _rollup([_label(v) for v in values], measures)
          for dim, values in zip(DIMENSIONS, dims, strict=True)}  # fmt: skip
    return AcceptanceFigures(
        totals=_model(measures.sum(axis=0) if len(measures) else np.zeros(len(FIELDS))),
        by_day=_rollup(day, measures),
        by_week=_rollup(week, measures),
        by=by,
        reject_reasons=reasons,
        verdicts=verdicts,
    )


def by_source(conn: Connection, start: datetime, end: datetime) -> dict[str, Acceptance]:
    """The drafts' figures per knowledge source they cited (a draft counts for each)."""
    f = facts.c
    _, sources, needs_human, action, n, *rest = _columns(
        conn, [f.day, f.sources, f.needs_human, f.action], start, end
    )
    measures = _measures(np.array(n, dtype=np.float64), action, needs_human, rest)
    labels, picks = [], []
    for row, joined in enumerate(sources):
        for source in joined.split(SOURCE_SEPARATOR) if joined else []:
            labels.append(source)
            picks.append(row)
    return _rollup(labels, measures[picks].reshape(-1, len(FIELDS)))


def largest_first(counts: Counter[str]) -> dict[str, int]:
    return dict(counts.most_common())
