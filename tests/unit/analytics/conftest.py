"""A small audit log whose figures are computed by hand in the tests (month 2026-11); on SQLite,
or on PostgreSQL when ``SIYU_TEST_DATABASE_URL`` points at a server (see
tests/integration/test_analytics_postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from copilot.audit.log import AuditLog, DraftCreated, HumanAction, PostScheduled
from copilot.store.engine import Database
from copilot.store.schema import communities
from tests.unit.customers.conftest import db_url

__all__ = ["db_url"]  # the database (SQLite file or a fresh PostgreSQL database) of each test


class Clock:
    """The time each next event is recorded at."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1)

    def __call__(self) -> datetime:
        return self.now


def _draft(draft_id: str, task: str = "reply", **fields: object) -> DraftCreated:
    base: dict[str, object] = {"prompt_version": "v1", "backend": "template", "verdict": "pass"}
    base.update(fields)
    return DraftCreated(draft_id=draft_id, task=task, text="您好，草稿", **base)  # type: ignore[arg-type]


def record(log: AuditLog, clock: Clock, at: str, event: object, actor: str = "alice") -> None:
    clock.now = datetime.fromisoformat(at)
    log.record(event, actor=actor)  # type: ignore[arg-type]


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def fixture_db(db: Database) -> Database:
    """Six drafts of November (and one of October), their decisions, posts and messages."""
    clock = Clock()
    log = AuditLog(db, redactor=lambda text: text, clock=clock)
    with db.begin() as conn:
        conn.execute(communities.insert().values(name="宝妈群", daily_cap=1))
    r = lambda at, event, actor="alice": record(log, clock, at, event, actor)  # noqa: E731
    r("2026-10-31 23:00:00", _draft("d0", question="十月的问题"))
    r("2026-11-01 08:00:00", HumanAction(draft_id="d0", action="accepted"))
    r("2026-11-02 10:00:00", _draft("d1", sources=["faq.md"], question="退货运费谁出"))
    r("2026-11-02 10:00:30", HumanAction(draft_id="d1", action="accepted", overrode=["pii"]))
    r("2026-11-02 10:05:00", HumanAction(draft_id="d1", action="rejected", reason="后悔了"))
    r(
        "2026-11-02 11:00:00",
        _draft("d2", sources=["faq.md", "policy.md"], needs_human=True, question="能开发票吗"),
    )
    r("2026-11-02 11:01:00", HumanAction.edited("d2", "你好\n谢谢", "您好呀\n谢谢"))
    r(
        "2026-11-09 09:00:00",
        _draft("d3", prompt_version="v2", backend="openai", verdict="warn",
               rules=["marketing_cap"], sources=["policy.md"], question="有优惠吗"),
        "bob",
    )  # fmt: skip
    r(
        "2026-11-09 09:02:00",
        HumanAction(draft_id="d3", action="rejected", reason="语气不对"),
        "bob",
    )
    r(
        "2026-11-10 09:00:00",
        _draft("d4", "message", verdict="block", rules=["pii", "consent"], customer_id="c1"),
        "bob",
    )
    r("2026-11-10 10:00:00", _draft("d5", "message", customer_id="c1"), "bob")
    r("2026-11-11 10:00:00", _draft("d6", "message", customer_id="c2"), "bob")
    for at, day, marketing, overrode in (
        ("2026-11-02 20:00:00", "2026-11-03T10:00:00", False, []),
        ("2026-11-02 20:01:00", "2026-11-03T18:00:00", True, ["cadence"]),
        ("2026-11-03 20:00:00", "2026-11-04T10:00:00", True, []),
        ("2026-11-30 20:00:00", "2026-12-01T10:00:00", True, []),
    ):
        r(
            at,
            PostScheduled(
                community="宝妈群", scheduled_at=datetime.fromisoformat(day), post_type="promo",
                marketing=marketing, overrode=overrode, text="帖子",
            ),
        )  # fmt: skip
    return db
