"""Hash chain over the audit log: every event carries the hash of the event before it.

The hashing itself is ``copilot.store.event_hash``. Changing, replacing, deleting or inserting an event breaks
the chain at that event. ``audit_chain_head`` holds the id and hash of the newest event, so
events cut from the end or forged after it are noticed too; its row is also the lock appends
queue on (the first statement of an append updates it), so concurrent writers on SQLite and
PostgreSQL still build one unbroken chain.

The chain proves the log was not rewritten by anyone who did not also recompute every later
hash and the head; keep the head hash printed by ``siyu audit verify`` somewhere else (a
ticket, a signed mail) to pin the log as it was at that moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, bindparam, inspect, select, type_coerce, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import SQLAlchemyError

from copilot.errors import StoreError
from copilot.messages import Text, msg
from copilot.store.event_hash import GENESIS, HEAD, event_hash
from copilot.store.schema import audit_chain_head, audit_events

if TYPE_CHECKING:
    from copilot.store.engine import Database

MAX_PROBLEMS = 200
ProblemKind = Literal[
    "table_missing", "head_missing", "unreadable", "altered", "forged", "missing", "broken_link"
]


# An append claims the head row first (the lock concurrent appends queue on) and reads the
# newest event's id and hash from it in the same statement: three statements while the lock is
# held, built once.
_CLAIM = (
    update(audit_chain_head)
    .where(audit_chain_head.c.name == HEAD)
    .values(last_id=audit_chain_head.c.last_id)
    .returning(audit_chain_head.c.last_id, audit_chain_head.c.last_hash)
)
_INSERT = audit_events.insert()
_ADVANCE = (
    update(audit_chain_head)
    .where(audit_chain_head.c.name == HEAD)
    .values(last_id=bindparam("new_id"), last_hash=bindparam("new_hash"))
)


def append(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows (every column but id and the hashes) as the next events of the chain,
    inside `conn`'s transaction; waits for other appends to commit first."""
    head = conn.execute(_CLAIM).first()
    if head is None:
        raise StoreError(
            msg("审计日志链头缺失，无法追加", "the audit chain head is missing; cannot append"),
            hint=msg(
                "运行 `siyu audit verify` 查看审计日志是否被破坏",
                "run `siyu audit verify` to see whether the audit log was damaged",
            ),
        )
    last_id, prev = int(head.last_id), str(head.last_hash)
    for row in rows:
        last_id += 1
        row.update(id=last_id, prev_hash=prev)
        row["hash"] = prev = event_hash(row)
    conn.execute(_INSERT, rows)
    conn.execute(_ADVANCE, {"new_id": last_id, "new_hash": prev})


class ChainProblem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = Field(description="event id (None: the table or the head)")
    kind: ProblemKind
    detail: Text


class ChainReport(BaseModel):
    """What `siyu audit verify` found; `problems` are in id order, the first is the first break."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    events: int = 0
    head_id: int | None = None
    head_hash: str = ""
    problems: list[ChainProblem] = Field(default_factory=list)
    more_problems: int = Field(0, description="problems found beyond those listed")


def rows_in_order(conn: Connection, batch: int = 2000) -> Iterator[RowMapping]:
    """Every stored event, oldest first, with `at` as stored (never parsed by the driver's
    type layer, so a garbled value is reported rather than raised)."""
    columns = [
        type_coerce(c, String).label(c.name) if c.name == "at" else c for c in audit_events.c
    ]
    query = select(*columns).order_by(audit_events.c.id)
    yield from conn.execute(query, execution_options={"yield_per": batch}).mappings()


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


class _Verifier:
    def __init__(self, head: RowMapping | None) -> None:
        self.head = head
        self.report = ChainReport(ok=True)
        if head is not None:
            self.report.head_id, self.report.head_hash = head["last_id"], head["last_hash"]
        self.prev_id, self.prev_hash = 0, GENESIS

    def problem(self, event_id: int | None, kind: ProblemKind, detail: Text) -> None:
        self.report.ok = False
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(ChainProblem(id=event_id, kind=kind, detail=detail))
        else:
            self.report.more_problems += 1

    def row(self, row: RowMapping) -> None:
        rid = int(row["id"])
        self.report.events += 1
        head = self.head
        try:
            computed = event_hash(row)
        except (ValueError, TypeError) as exc:
            computed = None
            self.problem(rid, "unreadable", msg("内容无法读取", "unreadable") + f": {exc}")
        if head is not None and rid > head["last_id"]:
            self.problem(
                rid, "forged",
                msg(
                    f"位于链头（事件 {head['last_id']}）之后：伪造插入",
                    f"after the chain head (event {head['last_id']}): forged insert",
                ),
            )  # fmt: skip
        elif not row["hash"]:
            self.problem(
                rid, "forged", msg("没有哈希：绕过应用写入", "no hash: written outside the app")
            )
        elif computed is not None and computed != row["hash"]:
            self.problem(
                rid, "altered",
                msg(
                    "内容与其哈希不符：被修改或伪造",
                    "content does not match its hash: altered or forged",
                ),
            )  # fmt: skip
        legacy = head is not None and rid <= head["legacy_last_id"]
        linked = row["prev_hash"] == self.prev_hash
        if rid != self.prev_id + 1 and not (legacy and linked):
            self.problem(
                rid, "missing",
                msg(
                    f"缺少事件 {_span(self.prev_id + 1, rid - 1)}：被删除",
                    f"missing events {_span(self.prev_id + 1, rid - 1)} (deleted)",
                ),
            )  # fmt: skip
        elif not linked:
            self.problem(
                rid, "broken_link",
                msg(
                    f"与前一事件 {self.prev_id} 不衔接：前一事件被替换或本事件被插入",
                    f"does not link to event {self.prev_id}: "
                    "that one was replaced or this one inserted",
                ),
            )  # fmt: skip
        self.prev_id, self.prev_hash = rid, str(row["hash"])

    def finish(self) -> ChainReport:
        head = self.head
        if head is None:
            self.problem(None, "head_missing", msg("链头记录缺失", "the chain head row is missing"))
        elif self.prev_id < head["last_id"]:
            self.problem(
                self.prev_id + 1, "missing",
                msg(
                    f"缺少末尾事件 {_span(self.prev_id + 1, head['last_id'])}：被删除",
                    f"events {_span(self.prev_id + 1, head['last_id'])} cut from the end",
                ),
            )  # fmt: skip
        elif self.prev_id == head["last_id"] and self.prev_hash != head["last_hash"]:
            self.problem(
                self.prev_id or None, "altered",
                msg(
                    "最后一个事件的哈希与链头不符", "the last event does not match the chain head"
                ),
            )  # fmt: skip
        return self.report


def verify(db: Database) -> ChainReport:
    """Walk the whole chain; never raises for a damaged log, it reports it."""
    with db.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        if HEAD not in tables:
            problem = ChainProblem(
                id=None, kind="table_missing",
                detail=msg(
                    "审计日志表不存在（被删除）", "the audit_events table is missing (dropped)"
                ),
            )  # fmt: skip
            return ChainReport(ok=False, problems=[problem])
        head = None
        if audit_chain_head.name in tables:
            found = conn.execute(
                select(audit_chain_head).where(audit_chain_head.c.name == HEAD)
            ).first()
            head = found._mapping if found is not None else None
        verifier = _Verifier(head)
        try:
            for row in rows_in_order(conn):
                verifier.row(row)
        except SQLAlchemyError as exc:
            verifier.problem(
                None,
                "unreadable",
                msg("审计日志表无法读取", "the table is unreadable") + f": {exc.args[0]}",
            )
        return verifier.finish()
