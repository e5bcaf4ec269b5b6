"""Is the log the figures come from intact? Unreadable events of the period are counted (and
left out of every figure); optionally the whole hash chain is verified."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, not_, select
from sqlalchemy.engine import Connection

from copilot.analytics.models import Integrity
from copilot.analytics.sql import Sql
from copilot.audit_chain import ChainReport
from copilot.customers.schema import audit_events

LISTED_IDS = 20


def unreadable(conn: Connection, start: datetime, end: datetime) -> Integrity:
    """Events of [start, end) whose payload is not JSON (SQLite checks each row)."""
    e = audit_events.c
    sql = Sql(conn.dialect.name)
    bad = select(e.id).where(e.at >= start, e.at < end, not_(sql.readable(e.payload)))
    count = conn.execute(select(func.count()).select_from(bad.subquery())).scalar_one()
    ids = list(conn.execute(bad.order_by(e.id).limit(LISTED_IDS)).scalars())
    return Integrity(unreadable_rows=int(count), unreadable_ids=ids)


def with_chain(integrity: Integrity, chain: ChainReport) -> Integrity:
    """The integrity figures plus the hash-chain verification's findings."""
    problems = [f"{p.id if p.id is not None else '-'} {p.kind}: {p.detail}" for p in chain.problems]
    if chain.more_problems:
        problems.append(f"… +{chain.more_problems}")
    return integrity.model_copy(
        update={"chain_checked": True, "chain_ok": chain.ok, "chain_problems": problems}
    )
