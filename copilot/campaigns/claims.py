"""Customer leases for a campaign drafted by several workers.

Each customer of a campaign has one row in ``campaign_claims``. A worker leases free rows with
``SELECT … FOR UPDATE SKIP LOCKED`` (rows another worker is leasing at that moment are skipped,
not waited for), renews its leases while it drafts, and marks a row done in the transaction that
writes the customer's result — only while the row is still its own, so a worker whose lease ran
out and was taken over writes nothing twice. A worker that dies leaves its rows to the others
once their lease has expired.

Every lease time is read from the database's clock (``now()``), never the worker's, so clocks
skewed between machines cannot make a live lease look expired.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.engine import Connection

from copilot.errors import CopilotError
from copilot.store.engine import Database
from copilot.store.schema import campaign_claims as claims
from copilot.store.schema import campaign_results


def worker_name() -> str:
    """This process's worker id: host, pid and a random suffix (unique across restarts)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


def db_now(conn: Connection) -> datetime:
    """The database's current time, UTC without a zone (how lease times are stored)."""
    if conn.dialect.name == "postgresql":
        return conn.execute(text("SELECT now() AT TIME ZONE 'UTC'")).scalar_one()
    raw = conn.execute(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
    return datetime.fromisoformat(raw)


def live_leases(conn: Connection, campaign_id: str) -> dict[str, int]:
    """worker -> customers it holds a live lease on (drafting now), by the database's clock."""
    query = (
        select(claims.c.worker, func.count())
        .where(
            claims.c.campaign_id == campaign_id,
            claims.c.done_at.is_(None),
            claims.c.lease_until >= db_now(conn),
        )
        .group_by(claims.c.worker)
    )
    return {worker: n for worker, n in conn.execute(query)}


class ClaimStore:
    """One worker's leases on one campaign."""

    def __init__(self, db: Database, campaign_id: str, worker: str, lease_s: float) -> None:
        self.db, self.campaign_id, self.worker = db, campaign_id, worker
        self.lease = timedelta(seconds=lease_s)
        self._mine = (claims.c.campaign_id == campaign_id) & (claims.c.worker == worker)

    def seed(self, conn: Connection, audience: list[str], done: Collection[str]) -> None:
        """Within the transaction that creates or joins the campaign: one row per audience
        customer in audience order, unless it has its rows already; customers with a result
        are done."""
        count = select(func.count()).where(claims.c.campaign_id == self.campaign_id)
        if conn.execute(count).scalar_one():
            return
        now = db_now(conn)
        rows = [
            {"campaign_id": self.campaign_id, "customer_id": cid, "position": position,
             "done_at": now if cid in done else None}
            for position, cid in enumerate(audience)
        ]  # fmt: skip
        self.db.insert_ignore(conn, claims, rows)

    def reopen_errors(self) -> int:
        """Free the customers whose result is an error, so this run drafts them again."""
        failed = select(campaign_results.c.customer_id).where(
            campaign_results.c.campaign_id == self.campaign_id,
            campaign_results.c.status == "error",
        )
        with self.db.begin() as conn:
            reopened = conn.execute(
                update(claims)
                .where(claims.c.campaign_id == self.campaign_id, claims.c.customer_id.in_(failed))
                .values(done_at=None, lease_until=None)
            )
            return int(reopened.rowcount or 0)

    def claim(self, limit: int) -> list[str]:
        """Lease up to `limit` customers nobody holds a live lease on; returns their ids."""
        with self.db.begin() as conn:
            now = db_now(conn)
            free = (
                select(claims.c.customer_id)
                .where(
                    claims.c.campaign_id == self.campaign_id,
                    claims.c.done_at.is_(None),
                    or_(claims.c.lease_until.is_(None), claims.c.lease_until < now),
                )
                .order_by(claims.c.position)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            ids = list(conn.execute(free).scalars())
            if ids:
                conn.execute(
                    update(claims)
                    .where(claims.c.campaign_id == self.campaign_id, claims.c.customer_id.in_(ids))
                    .values(worker=self.worker, lease_until=now + self.lease)
                )
            return ids

    def renew(self) -> int:
        """Extend every lease this worker still holds; returns how many."""
        with self.db.begin() as conn:
            renewed = conn.execute(
                update(claims)
                .where(self._mine, claims.c.done_at.is_(None))
                .values(lease_until=db_now(conn) + self.lease)
            )
            return int(renewed.rowcount or 0)

    def complete(self, conn: Connection, customer_ids: list[str]) -> set[str]:
        """Within the transaction writing their results: mark done the customers this worker
        still holds and return them; the others were taken over and must not be written."""
        if not customer_ids:
            return set()
        done = conn.execute(
            update(claims)
            .where(self._mine, claims.c.done_at.is_(None), claims.c.customer_id.in_(customer_ids))
            .values(done_at=db_now(conn))
            .returning(claims.c.customer_id)
        )
        return set(done.scalars())

    def remaining(self) -> int:
        """Customers of the campaign without a result yet (leased or not)."""
        with self.db.begin() as conn:
            query = select(func.count()).where(
                claims.c.campaign_id == self.campaign_id, claims.c.done_at.is_(None)
            )
            return int(conn.execute(query).scalar_one())


class LeaseKeeper:
    """Renews a worker's leases in the background every third of the lease, while it drafts."""

    def __init__(
        self, store: ClaimStore, on_error: Callable[[CopilotError], None], every_s: float
    ) -> None:
        self.store, self.on_error, self.every_s = store, on_error, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="lease-keeper", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.store.renew()
            except CopilotError as exc:  # the next tick tries again; the writer retries too
                self.on_error(exc)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
