"""NPS from survey answers: by month, community (the answer's channel) and segment (the
customer's tier), against how often the customer was addressed in the 30 days before answering
(group posts in that community, 1:1 message drafts to the customer), and recurring comment
themes (TF-IDF keywords of the newest 5,000 distinct comments, each counted over all comments).

NPS = % promoters (9–10) − % detractors (0–6), rounded to one decimal.

The answers are read once as columns and tallied with numpy: the 30-day counts come from the
events' running totals, sorted by (key, day) and searched for each answer's window; identical
comments are grouped by the database, so each distinct comment is segmented once. On
PostgreSQL the answers, the events of their windows and the comment themes are read (and the
themes found) at the same time on their own connections (``parallel.read_at_once``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, computed_field
from sqlalchemy import ColumnElement, String, func, select, type_coerce
from sqlalchemy.engine import Connection

from copilot.analytics.acceptance import NONE_LABEL
from copilot.analytics.keywords import top_keywords
from copilot.analytics.parallel import read_at_once
from copilot.analytics.rows import columns
from copilot.analytics.sync import FactSync
from copilot.analytics.tables_db import facts, nps_answers
from copilot.store.engine import Database
from copilot.store.schema import customers

WINDOW = timedelta(days=30)
BINS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 2), (3, 5), (6, 10), (11, None))
THEMES = 10
KEYWORDS_PER_THEME = 3  # candidates extracted per theme shown
KEYWORD_SAMPLE = 5000  # the newest distinct comments keyword candidates are taken from
SAMPLES = 3
DAY_BITS = 22  # a day's ordinal (date.max is 3,652,059) below the key's code in one int64


class NpsSlice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def nps(self) -> float | None:
        if not self.answers:
            return None
        return round(100 * (self.promoters - self.detractors) / self.answers, 1)

    @classmethod
    def of(cls, tally: Sequence[int]) -> NpsSlice:
        """From [promoters, passives, detractors]."""
        promoters, passives, detractors = (int(n) for n in tally)
        return cls(answers=promoters + passives + detractors, promoters=promoters,
                   passives=passives, detractors=detractors)  # fmt: skip


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keyword: str
    comments: int
    mean_score: float
    samples: list[str]


class NpsReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str | None = Field(description="None: every answer")
    overall: NpsSlice
    by_month: dict[str, NpsSlice]
    by_community: dict[str, NpsSlice]
    by_segment: dict[str, NpsSlice]
    by_posts_30d: dict[str, NpsSlice] = Field(description="group posts in the 30 days before")
    by_messages_30d: dict[str, NpsSlice] = Field(description="1:1 messages in the 30 days before")
    themes: list[Theme]


def bin_label(count: int) -> str:
    for low, high in BINS:
        if count >= low and (high is None or count <= high):
            return str(low) if low == high else f"{low}+" if high is None else f"{low}–{high}"
    raise ValueError(count)


def _codes(values: Sequence[Any]) -> tuple[list[Any], np.ndarray]:
    """The distinct values, sorted, and each value's index among them (one dict pass: cheaper
    than sorting 100,000 strings)."""
    names = sorted(set(values))
    index = {name: code for code, name in enumerate(names)}
    return names, np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))


def _days(values: Sequence[Any]) -> np.ndarray:
    """Dates or ISO date strings as day numbers (datetime64[D] as int64); each distinct day is
    parsed once."""
    names, codes = _codes(values)
    return np.array(names, dtype="datetime64[D]").astype(np.int64)[codes]


def _tally(labels: Sequence[str] | np.ndarray, kinds: np.ndarray) -> dict[str, list[int]]:
    """label → [promoters, passives, detractors] of the answers with that label."""
    names, codes = _codes(labels.tolist() if isinstance(labels, np.ndarray) else labels)
    counts = np.bincount(codes * 3 + kinds, minlength=3 * len(names)).reshape(-1, 3)
    return {str(name): counts[code].tolist() for code, name in enumerate(names)}


def _recent(events: Sequence[Any], keys: Sequence[str], days: np.ndarray) -> np.ndarray:
    """Per answer (key, day): the events of its key on days in [day − 30 days, day), from
    (key, day, count) rows."""
    rows = [row for row in events if row[1]]
    if not rows:
        return np.zeros(len(keys), dtype=np.int64)
    event_key, event_day, event_n = columns(rows, 3)
    _, codes = _codes([*event_key, *keys])
    stamped = (codes[: len(rows)] << DAY_BITS) | _days(event_day)
    order = np.argsort(stamped, kind="stable")
    stamped = stamped[order]
    totals = np.concatenate(([0], np.cumsum(np.array(event_n, dtype=np.int64)[order])))
    base = codes[len(rows) :] << DAY_BITS
    lo = np.searchsorted(stamped, base | (days - WINDOW.days), side="left")
    hi = np.searchsorted(stamped, base | days, side="left")
    return totals[hi] - totals[lo]


def _bins(counts: np.ndarray) -> np.ndarray:
    """The bin label of each count."""
    labels = np.array([bin_label(low) for low, _ in BINS])
    return labels[np.searchsorted([low for low, _ in BINS], counts, side="right") - 1]


@dataclass(frozen=True)
class _Comment:
    text: str
    answers: int
    score_sum: int
    newest: str


def _themes(comments: list[_Comment]) -> list[Theme]:
    """Keywords of the newest distinct comments, each with every comment naming it (in the
    order first given); a keyword of a single answer is no theme."""
    newest = sorted(comments, key=lambda c: c.newest, reverse=True)[:KEYWORD_SAMPLE]
    words = top_keywords({c.text: c.answers for c in newest}, THEMES * KEYWORDS_PER_THEME)
    themes = []
    for word in words:
        items = [c for c in comments if word in c.text]
        answers = sum(c.answers for c in items)
        if answers > 1:
            themes.append(
                Theme(
                    keyword=word,
                    comments=answers,
                    mean_score=round(sum(c.score_sum for c in items) / answers, 2),
                    samples=[c.text for c in items[:SAMPLES]],
                )
            )
    return sorted(themes, key=lambda t: (-t.comments, t.keyword))[:THEMES]


def _comments(conn: Connection, where: list[ColumnElement[bool]]) -> list[_Comment]:
    a = nps_answers.c
    query = (
        select(a.comment, func.count(), func.sum(a.score), func.min(a.answered_on),
               func.max(a.answered_on))
        .where(*where, a.comment != "")
        .group_by(a.comment)
    )  # fmt: skip
    rows = [(str(first), _Comment(text, int(n), int(total), str(last)))
            for text, n, total, first, last in conn.execute(query) if text.strip()]  # fmt: skip
    return [comment for _, comment in sorted(rows, key=lambda r: (r[0], r[1].text))]


def _window_events(
    conn: Connection, first: str | None, last: str | None
) -> tuple[Sequence[Any], Sequence[Any]]:
    """(community, day, posts) and (customer, day, 1:1 messages) of days first..last (None:
    unbounded)."""
    f = facts.c

    def within(column: Any) -> list[ColumnElement[bool]]:
        return [*([column >= first] if first else []), *([column <= last] if last else [])]

    posts = conn.execute(
        select(f.community, f.scheduled_day, func.count())
        .where(f.kind == "post_scheduled", *within(f.scheduled_day))
        .group_by(f.community, f.scheduled_day)
    ).all()
    messages = conn.execute(
        select(f.customer_id, f.day, func.count())
        .where(f.kind == "draft_created", f.task == "message", *within(f.day))
        .group_by(f.day, f.customer_id)  # the covering index's order: no sort
    ).all()
    return posts, messages


def _sliced(tally: dict[str, list[int]], order: list[str] | None = None) -> dict[str, NpsSlice]:
    keys = [k for k in order if k in tally] if order else sorted(tally)
    return {key: NpsSlice.of(tally[key]) for key in keys}


def nps_report(db: Database, month: str | None = None) -> NpsReport:
    """NPS of every answer, or of the answers of `month` ("YYYY-MM")."""
    from copilot.analytics.report import month_bounds

    FactSync(db).run()
    a = nps_answers.c
    where: list[ColumnElement[bool]] = []
    first = last = None  # the days whose events count in some answer's 30-day window
    if month:
        start, end = month_bounds(month)
        where = [a.answered_on >= start.date(), a.answered_on < end.date()]
        first, last = (
            (start - WINDOW).date().isoformat(),
            (end - timedelta(days=1)).date().isoformat(),
        )
    report = NpsReport(
        month=month, overall=NpsSlice(), by_month={}, by_community={}, by_segment={},
        by_posts_30d={}, by_messages_30d={}, themes=[],
    )  # fmt: skip
    query = (
        select(
            a.customer_id, type_coerce(a.answered_on, String), a.score, a.channel, customers.c.tier
        )
        .select_from(nps_answers.outerjoin(customers, customers.c.id == a.customer_id))
        .where(*where)
    )
    answers, (posts, messages), themes = read_at_once(
        db,
        lambda conn: conn.execute(query).all(),
        lambda conn: _window_events(conn, first, last),
        lambda conn: _themes(_comments(conn, where)),
    )
    if not answers:
        return report
    customer, answered, score, channel, tier = columns(answers, 5)
    days = _days(answered)
    scores = np.array(score, dtype=np.int64)
    kinds = np.where(scores >= 9, 0, np.where(scores >= 7, 1, 2))
    months = np.datetime_as_string(days.astype("datetime64[D]").astype("datetime64[M]"))
    order = [bin_label(low) for low, _ in BINS]
    report.overall = NpsSlice.of(np.bincount(kinds, minlength=3).tolist())
    report.by_month = _sliced(_tally(months.tolist(), kinds))
    report.by_community = _sliced(_tally([c or NONE_LABEL for c in channel], kinds))
    report.by_segment = _sliced(_tally([t or NONE_LABEL for t in tier], kinds))
    posts_seen = _recent(posts, channel, days)
    report.by_posts_30d = _sliced(_tally(_bins(posts_seen), kinds), order)
    sent = _recent(messages, customer, days)
    report.by_messages_30d = _sliced(_tally(_bins(sent), kinds), order)
    report.themes = themes
    return report
