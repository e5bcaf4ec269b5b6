"""How often people were addressed: group posts per community and day against the community's
daily cap (and their marketing share), and 1:1 messages per customer per week."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from copilot.analytics.models import CommunityCadence, MessageWeek
from copilot.analytics.tables_db import facts
from copilot.store.schema import communities

DEFAULT_CAP = 2  # the communities table's default daily cap


def posts_by_community(conn: Connection, first: date, last: date) -> list[CommunityCadence]:
    """Posts scheduled for days first..last (inclusive), per community, by scheduled day."""
    f = facts.c
    keys = [f.community, f.scheduled_day, f.marketing]
    query = (
        select(*keys, func.count().label("n"))
        .where(
            f.kind == "post_scheduled",
            f.scheduled_day >= first.isoformat(),
            f.scheduled_day <= last.isoformat(),
        )
        .group_by(*keys)
    )
    caps = {str(r.name): int(r.daily_cap) for r in conn.execute(select(communities))}
    per_day: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    marketing_posts: defaultdict[str, int] = defaultdict(int)
    for row in conn.execute(query):
        per_day[row.community][row.scheduled_day] += row.n
        if row.marketing:
            marketing_posts[row.community] += row.n
    result = []
    for name in sorted(per_day):
        cap = caps.get(name, DEFAULT_CAP)
        days = per_day[name]
        result.append(
            CommunityCadence(
                community=name,
                daily_cap=cap,
                days_with_posts=len(days),
                posts=sum(days.values()),
                marketing_posts=marketing_posts[name],
                max_posts_per_day=max(days.values()),
                days_over_cap=sum(1 for n in days.values() if n > cap),
            )
        )
    return result


def messages_by_week(conn: Connection, start: datetime, end: datetime) -> list[MessageWeek]:
    """1:1 message drafts of the period (given as midnights), per week: customers reached,
    messages, the most any one customer got."""
    f = facts.c
    per_customer = (
        select(f.week, f.customer_id, func.count().label("n"))
        .where(
            f.kind == "draft_created",
            f.task == "message",
            f.day >= start.date().isoformat(),
            f.day < end.date().isoformat(),
        )
        .group_by(f.week, f.customer_id)
        .subquery()
    )
    c = per_customer.c
    query = (
        select(c.week, func.count(), func.sum(c.n), func.max(c.n)).group_by(c.week).order_by(c.week)
    )
    return [
        MessageWeek(week=str(w), customers=int(n), messages=int(total), max_per_customer=int(top))
        for w, n, total, top in conn.execute(query)
    ]
