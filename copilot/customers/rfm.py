"""RFM segmentation: recency/frequency/monetary scores, a segment with its reason, dynamic tags.

Two SQL aggregates and one pass over order items; no per-customer queries, so 100k customers
with 1M orders take seconds.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection

from copilot.config import CustomerSettings
from copilot.customers.catalog import Product, parse_items
from copilot.messages import Msg, Text, msg
from copilot.store.schema import customers, orders

Segment = Literal["new", "core", "super", "at_risk", "dormant"]
SEGMENTS: tuple[Segment, ...] = ("new", "core", "super", "at_risk", "dormant")
SEGMENT_NAMES: dict[Segment, Msg] = {
    "new": msg("新客", "new"),
    "core": msg("核心客户", "core"),
    "super": msg("超级用户", "super user"),
    "at_risk": msg("流失风险", "at risk"),
    "dormant": msg("沉睡客户", "dormant"),
}


class RfmScore(BaseModel):
    """One customer's scores, segment, tags and the reason for the segment."""

    model_config = ConfigDict(extra="forbid")

    customer_id: str
    recency_days: int | None
    orders: int
    spent_fen: int
    r: int
    f: int
    m: int
    segment: Segment
    reason: Text
    tags: list[str]

    def explain(self) -> Msg:
        days, spent = self.recency_days, f"¥{self.spent_fen / 100:,.2f}"
        name = SEGMENT_NAMES[self.segment]
        last = (
            msg(f"最近一次下单 {days} 天前", f"last order {days} days ago")
            if self.orders
            else msg("从未下单", "never ordered")
        )
        return (
            last
            + msg(
                f"（R={self.r}），共 {self.orders} 单（F={self.f}），累计消费 {spent}（M={self.m}）→ ",
                f" (R={self.r}), {self.orders} orders (F={self.f}), {spent} spent (M={self.m}) → ",
            )
            + name
            + msg("：", ": ")
            + self.reason
        )


class SegmentReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date
    counts: dict[Segment, int]
    tag_counts: dict[str, int]
    scores: list[RfmScore]


class Segmenter:
    """Scores every customer against the thresholds in CustomerSettings."""

    def __init__(self, settings: CustomerSettings, catalog: Mapping[str, Product]) -> None:
        self.s = settings
        self.catalog = catalog
        self.reasons = segment_reasons(settings)

    def _segment(self, recency: int | None, tenure: int | None, f: int, m: int) -> Segment:
        s = self.s
        if tenure is not None and tenure <= s.new_days:
            return "new"
        if recency is None or recency > s.dormant_days:
            return "dormant"
        if recency > s.recent_days:
            return "at_risk"
        if f >= s.super_min_f and m >= s.super_min_m:
            return "super"
        return "core"

    def _tags(self, conn: Connection) -> dict[str, list[str]]:
        """高频<品类>购买者 for every category bought in at least tag_min_orders orders."""
        names = sorted({p.category for p in self.catalog.values()})
        index = {name: k for k, name in enumerate(names)}
        by_items: dict[str, tuple[int, ...]] = {}
        counts: dict[str, list[int]] = {}
        for cid, items in _rows(conn, select(orders.c.customer_id, orders.c["items"])):
            cats = by_items.get(items)
            if cats is None:
                found = {
                    self.catalog[sku].category
                    for sku, _ in parse_items(items)
                    if sku in self.catalog
                }
                cats = by_items[items] = tuple(index[c] for c in found)
            if cats:
                tally = counts.get(cid)
                if tally is None:
                    tally = counts[cid] = [0] * len(names)
                for k in cats:
                    tally[k] += 1
        least = self.s.tag_min_orders
        return {
            cid: [f"高频{names[k]}购买者" for k, n in enumerate(tally) if n >= least]
            for cid, tally in counts.items()
        }

    def run(self, conn: Connection, as_of: date) -> SegmentReport:
        s = self.s
        aggregates = select(
            orders.c.customer_id,
            func.max(orders.c.ordered_at),
            func.min(orders.c.ordered_at),
            func.count(),
            func.sum(orders.c.amount_fen),
        ).group_by(orders.c.customer_id)
        stats = {row[0]: row[1:] for row in _rows(conn, aggregates)}
        tags = self._tags(conn)
        money = [y * 100 for y in s.monetary_yuan]
        scores: list[RfmScore] = []
        for cid, joined in _rows(conn, select(customers.c.id, customers.c.joined_on)):
            last, first, n, fen = stats.get(cid, (None, None, 0, 0))
            recency = (as_of - _day(last)).days if last else None
            start = _day(first) if first else (_day(joined) if joined else None)
            tenure = (as_of - start).days if start else None
            r = 1 if recency is None else 5 - bisect_left(s.recency_days, recency)
            f = 1 + bisect_right(s.frequency_orders, n)
            m = 1 + bisect_right(money, fen or 0)
            segment = self._segment(recency, tenure, f, m)
            reason = self.reasons[segment]
            # built from our own aggregates: construct without re-validating 100k rows
            scores.append(
                RfmScore.model_construct(
                    customer_id=cid, recency_days=recency, orders=n, spent_fen=int(fen or 0),
                    r=r, f=f, m=m, segment=segment, reason=reason, tags=sorted(tags.get(cid, [])),
                )
            )  # fmt: skip
        counts = Counter(sc.segment for sc in scores)
        tag_counts = Counter(t for sc in scores for t in sc.tags)
        return SegmentReport.model_construct(
            as_of=as_of,
            counts={seg: counts.get(seg, 0) for seg in SEGMENTS},
            tag_counts=dict(tag_counts.most_common()),
            scores=scores,
        )


def segment_reasons(s: CustomerSettings) -> dict[Segment, Msg]:
    """Why a customer is in each segment, by the thresholds in the settings."""
    recent, dormant = s.recent_days, s.dormant_days
    return {
        "new": msg(
            f"首单/入会在 {s.new_days} 天内", f"first order or joined within {s.new_days} days"
        ),
        "dormant": msg(f"超过 {dormant} 天未下单", f"no order for more than {dormant} days"),
        "at_risk": msg(f"{recent}–{dormant} 天未下单", f"no order for {recent}–{dormant} days"),
        "super": msg(
            f"近 {recent} 天有购买且 F≥{s.super_min_f}、M≥{s.super_min_m}",
            f"bought in the last {recent} days with F≥{s.super_min_f} and M≥{s.super_min_m}",
        ),
        "core": msg(
            f"近 {recent} 天有购买，未达超级用户门槛",
            f"bought in the last {recent} days, below the super-user bar",
        ),
    }


def _rows(conn: Connection, query: Select[Any]) -> Iterator[tuple[Any, ...]]:
    """Rows straight from the driver cursor: SQLAlchemy's per-row layer costs ~4 µs a row."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled))
        while batch := cursor.fetchmany(50_000):
            yield from batch
    finally:
        cursor.close()


def _day(value: datetime | date | str) -> date:
    """SQLite hands back text ('2026-11-19 03:08:00'), PostgreSQL dates and datetimes."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value
