"""Audit log benchmark: the cost of the hash chain on appends, and `siyu audit verify` speed.

    python -m benchmarks.audit [--events 20000] [--batch 32] [--url sqlite:///…]

Appends DraftCreated events through ``AuditLog`` one per transaction and in campaign-sized
groups (``record_many``, as the checkpoint writer does), and, as the peer, inserts the same rows
into a table of the same shape without chain or triggers. Then verifies the whole chain.
Default: a fresh SQLite file in a temp dir.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

from copilot.audit.chain import verify
from copilot.audit.log import AuditLog, DraftCreated
from copilot.store.engine import Database

TEXT = "您好，本周会员日双倍积分，欢迎来店里逛逛。回复TD退订"
peer_meta = MetaData()
plain = Table(
    "bench_plain_events",
    peer_meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("payload", Text, nullable=False),
)


def event(i: int) -> DraftCreated:
    return DraftCreated(
        draft_id=f"bench:C{i:07d}", task="message", customer_id=f"C{i:07d}",
        purpose="marketing_personalisation", verdict="pass", text=TEXT,
        fields_used=["name", "tier"], sources=["products.csv#3"],
    )  # fmt: skip


def plain_row(e: DraftCreated) -> dict[str, object]:
    """What AuditLog stores for an event, minus the chain (redaction is off in both)."""
    return {
        "at": datetime.now(), "kind": e.kind, "actor": "system", "subject": e.draft_id,
        "payload": e.model_dump_json(),
    }  # fmt: skip


def rate(label: str, count: int, seconds: float) -> float:
    per_second = count / seconds
    print(f"{label:<44} {count:>7} in {seconds:6.2f} s = {per_second:9.0f}/s")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--url", help="SQLAlchemy URL of an empty database (default: temp SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(args.url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        peer_meta.create_all(db.engine)
        log = AuditLog(db, redactor=lambda t: t)
        singles = max(args.events // 10, 1)
        events = [event(i) for i in range(args.events)]

        start = time.perf_counter()
        for e in events[:singles]:
            log.record(e)
        chained_one = rate(
            "chained, one event per transaction", singles, time.perf_counter() - start
        )

        start = time.perf_counter()
        for e in events[singles : 2 * singles]:
            with db.begin() as conn:
                conn.execute(plain.insert().values(**plain_row(e)))
        plain_one = rate(
            "plain insert, one per transaction (peer)", singles, time.perf_counter() - start
        )

        grouped = events[2 * singles :]
        start = time.perf_counter()
        for i in range(0, len(grouped), args.batch):
            with db.begin() as conn:
                log.record_many(grouped[i : i + args.batch], conn=conn)
        chained_many = rate(
            f"chained, groups of {args.batch}", len(grouped), time.perf_counter() - start
        )

        start = time.perf_counter()
        for i in range(0, len(grouped), args.batch):
            with db.begin() as conn:
                rows = [plain_row(e) for e in grouped[i : i + args.batch]]
                conn.execute(plain.insert(), rows)
        plain_many = rate(
            f"plain insert, groups of {args.batch} (peer)",
            len(grouped),
            time.perf_counter() - start,
        )

        start = time.perf_counter()
        report = verify(db)
        rate("verify (whole chain)", report.events, time.perf_counter() - start)
        assert report.ok, report.problems[:3]
        print(f"chained/plain throughput: one per transaction {chained_one / plain_one:.2f}, "
              f"groups {chained_many / plain_many:.2f}")  # fmt: skip
        db.dispose()


if __name__ == "__main__":
    main()
