"""How often people were addressed: group posts per community and day against the community's
daily cap (and their marketing share), and 1:1 messages per customer per week."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from copilot.analytics.models import CommunityCadence, MessageWeek
from copilot.analytics.sql import Sql
from copilot.customers.schema import audit_events, communities

DEFAULT_CAP = 2  # the communities table's default daily cap


def posts_by_community(conn: Connection, first: date, last: date) -> list[CommunityCadence]:
    """Posts scheduled for days first..last (inclusive), per community, by scheduled day."""
    sql = Sql(conn.dialect.name)
    e = audit_events.c
    day = func.substr(sql.field(e.payload, "scheduled_at"), 1, 10).label("day")
    community = sql.field(e.payload, "community").label("community")
    marketing = sql.field(e.payload, "marketing").label("marketing")
    query = (
        select(community, day, marketing, func.count().label("n"))
        .where(e.kind == "post_scheduled", sql.readable(e.payload))
        .group_by(community, day, marketing)
        .having(and_(day >= first.isoformat(), day <= last.isoformat()))
    )
    caps = {str(r.name): int(r.daily_cap) for r in conn.execute(select(communities))}
    per_day: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    marketing_posts: defaultdict[str, int] = defaultdict(int)
    for row in conn.execute(query):
        name = str(row.community)
        per_day[name][str(row.day)] += int(row.n)
        if row.marketing in (True, 1, "true"):
            marketing_posts[name] += int(row.n)
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
    """1:1 message drafts of the period, per week: customers reached, messages, the most any
    one customer got."""
    sql = Sql(conn.dialect.name)
    e = audit_events.c
    week = sql.week(e.at).label("week")
    customer = sql.field(e.payload, "customer_id").label("customer")
    per_customer = (
        select(week, customer, func.count().label("n"))
        .where(
            e.kind == "draft_created",
            e.at >= start,
            e.at < end,
            sql.readable(e.payload),
            sql.field(e.payload, "task") == "message",
        )
        .group_by(week, customer)
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
