"""NPS from survey answers: by month, community (the answer's channel) and segment (the
customer's tier), against how often the customer was addressed in the 30 days before answering
(group posts in that community, 1:1 message drafts to the customer), and recurring comment
themes (jieba TF-IDF keywords of the newest 5,000 comments, each counted over all comments).

NPS = % promoters (9–10) − % detractors (0–6), rounded to one decimal.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field
from sqlalchemy import func, select

from copilot.analytics.acceptance import NONE_LABEL
from copilot.analytics.sync import FactSync
from copilot.analytics.tables_db import facts, nps_answers
from copilot.store.engine import Database
from copilot.store.schema import customers

WINDOW = timedelta(days=30)
BINS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 2), (3, 5), (6, 10), (11, None))
THEMES = 10
KEYWORDS_PER_THEME = 3  # candidates extracted per theme shown
KEYWORD_SAMPLE = 5000  # the newest comments keyword candidates are taken from


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
    def of(cls, tally: list[int]) -> NpsSlice:
        """From [promoters, passives, detractors]."""
        return cls(answers=sum(tally), promoters=tally[0], passives=tally[1], detractors=tally[2])


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


def _recent(days: list[date], prefix: list[int], answered: date) -> int:
    """Events on days in [answered − 30 days, answered) from sorted days and running totals."""
    lo = bisect.bisect_left(days, answered - WINDOW)
    hi = bisect.bisect_left(days, answered)
    return prefix[hi] - prefix[lo]


def _series(rows: Any) -> dict[str, tuple[list[date], list[int]]]:
    """key -> (sorted days, running totals with a leading 0) from (key, day, count) rows."""
    per_key: defaultdict[str, list[tuple[date, int]]] = defaultdict(list)
    for key, day, n in rows:
        if day:
            per_key[str(key)].append((date.fromisoformat(str(day)[:10]), int(n)))
    series = {}
    for key, items in per_key.items():
        items.sort()
        totals = [0]
        for _, n in items:
            totals.append(totals[-1] + n)
        series[key] = ([d for d, _ in items], totals)
    return series


def _themes(answers: list[tuple[int, str]]) -> list[Theme]:
    """Keywords of the newest comments together (jieba TF-IDF), each with every comment naming
    it; a keyword of a single comment is no theme."""
    import jieba.analyse

    texts = [c for _, c in answers if c.strip()][-KEYWORD_SAMPLE:]
    words = jieba.analyse.extract_tags("\n".join(texts), topK=THEMES * KEYWORDS_PER_THEME)
    themes = []
    for word in words:
        items = [(score, comment) for score, comment in answers if word in comment]
        if len(items) > 1:
            themes.append(
                Theme(
                    keyword=word,
                    comments=len(items),
                    mean_score=round(sum(s for s, _ in items) / len(items), 2),
                    samples=list(dict.fromkeys(c for _, c in items))[:3],
                )
            )
    return sorted(themes, key=lambda t: (-t.comments, t.keyword))[:THEMES]


def nps_report(db: Database, month: str | None = None) -> NpsReport:
    """NPS of every answer, or of the answers of `month` ("YYYY-MM")."""
    from copilot.analytics.report import month_bounds

    FactSync(db).run()
    a, f = nps_answers.c, facts.c
    query = select(a.customer_id, a.answered_on, a.score, a.comment, a.channel, customers.c.tier)
    query = query.select_from(
        nps_answers.outerjoin(customers, customers.c.id == a.customer_id)
    ).order_by(a.answered_on)
    if month:
        start, end = month_bounds(month)
        query = query.where(a.answered_on >= start.date(), a.answered_on < end.date())
    report = NpsReport(
        month=month, overall=NpsSlice(), by_month={}, by_community={}, by_segment={},
        by_posts_30d={}, by_messages_30d={}, themes=[],
    )  # fmt: skip
    with db.begin() as conn:
        answers = conn.execute(query).all()
        if not answers:
            return report
        first = min(r.answered_on for r in answers) - WINDOW
        last = max(r.answered_on for r in answers)
        posts = _series(conn.execute(
            select(f.community, f.scheduled_day, func.count())
            .where(f.kind == "post_scheduled", f.scheduled_day >= first.isoformat(),
                   f.scheduled_day <= last.isoformat())
            .group_by(f.community, f.scheduled_day)
        ))  # fmt: skip
        messages = _series(conn.execute(
            select(f.customer_id, f.day, func.count())
            .where(f.kind == "draft_created", f.task == "message", f.day >= first.isoformat(),
                   f.day <= last.isoformat())
            .group_by(f.customer_id, f.day)
        ))  # fmt: skip
    overall = [0, 0, 0]
    slices: dict[str, dict[str, list[int]]] = {
        "by_month": {}, "by_community": {}, "by_segment": {}, "by_posts_30d": {},
        "by_messages_30d": {},
    }  # fmt: skip
    commented: list[tuple[int, str]] = []
    for row in answers:
        day: date = row.answered_on
        posts_seen = _recent(*posts[row.channel], day) if row.channel in posts else 0
        sent = _recent(*messages[row.customer_id], day) if row.customer_id in messages else 0
        keys = {
            "by_month": day.strftime("%Y-%m"),
            "by_community": row.channel or NONE_LABEL,
            "by_segment": row.tier or NONE_LABEL,
            "by_posts_30d": bin_label(posts_seen),
            "by_messages_30d": bin_label(sent),
        }
        kind = 0 if row.score >= 9 else 1 if row.score >= 7 else 2
        overall[kind] += 1
        for name, key in keys.items():
            slices[name].setdefault(key, [0, 0, 0])[kind] += 1
        commented.append((row.score, row.comment))
    report.overall = NpsSlice.of(overall)
    order = [bin_label(low) for low, _ in BINS]
    for name, values in slices.items():
        shown = [k for k in order if k in values] if name.endswith("_30d") else sorted(values)
        setattr(report, name, {k: NpsSlice.of(values[k]) for k in shown})
    report.themes = _themes(commented)
    return report
