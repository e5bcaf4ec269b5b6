"""Is the log the figures come from intact? Unreadable events of the period (or with no
readable time at all) are counted and left out of every figure; optionally the whole hash
chain is verified, which also finds events altered after they were projected."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from copilot.analytics.models import Integrity
from copilot.analytics.tables_db import facts
from copilot.audit.chain import ChainReport
from copilot.messages import Text

LISTED_IDS = 20


def unreadable(conn: Connection, start: datetime, end: datetime) -> Integrity:
    f = facts.c
    where = [f.kind == "unreadable", or_(f.day == "", (f.at >= start) & (f.at < end))]
    count = conn.execute(select(func.count()).where(*where)).scalar_one()
    ids = conn.execute(select(f.event_id).where(*where).order_by(f.event_id).limit(LISTED_IDS))
    return Integrity(unreadable_rows=int(count), unreadable_ids=list(ids.scalars()))


def with_chain(integrity: Integrity, chain: ChainReport) -> Integrity:
    """The integrity figures plus the hash-chain verification's findings."""
    problems: list[Text] = [
        f"{p.id if p.id is not None else '-'} {p.kind}: " + p.detail for p in chain.problems
    ]
    if chain.more_problems:
        problems.append(f"… +{chain.more_problems}")
    return integrity.model_copy(
        update={"chain_checked": True, "chain_ok": chain.ok, "chain_problems": problems}
    )
