"""Campaign worker leases: claiming in audience order, expiry, renewal, takeover, clock skew and
retries through a database restart. Runs on SQLite here and on PostgreSQL from
tests/integration/test_campaign_workers.py (where the row locks are real)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from copilot.campaigns import claims as claims_module
from copilot.campaigns.claims import ClaimStore, db_now, live_leases
from copilot.campaigns.retrying import Retry
from copilot.errors import StoreError
from copilot.messages import Msg, msg
from copilot.store.engine import Database
from copilot.store.schema import campaign_claims, campaign_results, campaigns

AUDIENCE = [f"C{n:03d}" for n in range(10)]
LEASE_S = 60
NOW = datetime(2026, 11, 15, 10, 0)


def store(db: Database, worker: str, campaign: str = "c1") -> ClaimStore:
    return ClaimStore(db, campaign, worker, LEASE_S)


@pytest.fixture
def seeded(db: Database) -> Database:
    with db.begin() as conn:
        store(db, "").seed(conn, AUDIENCE, done={"C001"})
    return db


def expire(db: Database, worker: str) -> None:
    """Let `worker`'s leases run out, by the database's clock."""
    with db.begin() as conn:
        conn.execute(
            update(campaign_claims)
            .where(campaign_claims.c.worker == worker)
            .values(lease_until=db_now(conn) - timedelta(seconds=1))
        )


def lease_of(db: Database, customer_id: str) -> tuple[str, datetime | None]:
    with db.begin() as conn:
        row = conn.execute(
            select(campaign_claims.c.worker, campaign_claims.c.lease_until).where(
                campaign_claims.c.customer_id == customer_id
            )
        ).one()
    return row.worker, row.lease_until


def test_workers_lease_disjoint_customers_in_audience_order(seeded: Database) -> None:
    a, b = store(seeded, "a"), store(seeded, "b")
    assert a.claim(3) == ["C000", "C002", "C003"]  # C001 has its result already
    assert b.claim(100) == AUDIENCE[4:]
    assert a.claim(5) == [] and a.remaining() == 9
    with seeded.begin() as conn:
        assert live_leases(conn, "c1") == {"a": 3, "b": 6}


def test_seeding_again_keeps_the_claims(seeded: Database) -> None:
    a = store(seeded, "a")
    a.claim(2)
    with seeded.begin() as conn:
        store(seeded, "b").seed(conn, AUDIENCE, done=set())
    assert lease_of(seeded, "C000")[0] == "a" and a.remaining() == 9


def test_an_expired_lease_is_taken_over_and_its_holder_writes_nothing(seeded: Database) -> None:
    a, b = store(seeded, "a"), store(seeded, "b")
    assert a.claim(2) == ["C000", "C002"]
    assert b.claim(2) == ["C003", "C004"]  # a's live leases are not touched
    expire(seeded, "a")
    assert b.claim(2) == ["C000", "C002"]
    with seeded.begin() as conn:
        assert a.complete(conn, ["C000", "C002"]) == set()  # taken over: a must not write
        assert b.complete(conn, ["C000", "C003"]) == {"C000", "C003"}
        assert b.complete(conn, ["C000"]) == set()  # done once
    assert a.renew() == 0 and b.remaining() == 7


def test_renewal_keeps_a_lease_alive_and_only_the_holders(seeded: Database) -> None:
    a, b = store(seeded, "a"), store(seeded, "b")
    a.claim(2)
    expire(seeded, "a")
    assert a.renew() == 2  # expired but not taken yet: still a's, so renewed
    assert b.claim(2) == ["C003", "C004"]
    with seeded.begin() as conn:
        now = db_now(conn)
    worker, until = lease_of(seeded, "C000")
    assert worker == "a" and until is not None
    assert timedelta(seconds=LEASE_S - 5) < until - now <= timedelta(seconds=LEASE_S)
    with seeded.begin() as conn:
        a.complete(conn, ["C000"])
    assert a.renew() == 1  # the done one is no longer leased


class Skewed(datetime):
    """A worker clock a minute off (this one ahead); leases must not read it."""

    offset = timedelta(minutes=1)

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def,override]
        return datetime.now(tz) + cls.offset

    @classmethod
    def utcnow(cls):  # type: ignore[no-untyped-def,override]
        return datetime.utcnow() + cls.offset


def test_clock_skew_between_workers_does_not_expire_a_live_lease(
    seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claims_module, "datetime", Skewed)
    assert store(seeded, "ahead").claim(2) == ["C000", "C002"]
    monkeypatch.setattr(Skewed, "offset", timedelta(minutes=-1))
    behind = store(seeded, "behind")
    assert behind.claim(2) == ["C003", "C004"]
    monkeypatch.setattr(Skewed, "offset", timedelta(minutes=3))  # past "ahead"'s lease by its clock
    assert store(seeded, "far-ahead").claim(100) == AUDIENCE[5:]
    with seeded.begin() as conn:
        now = db_now(conn)
    _, until = lease_of(seeded, "C000")
    assert until is not None and abs(until - now - timedelta(seconds=LEASE_S)) < timedelta(
        seconds=5
    )


def test_a_customer_being_claimed_by_another_transaction_is_skipped_not_waited_for(
    seeded: Database,
) -> None:
    if seeded.dialect != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) are PostgreSQL's")
    with seeded.engine.connect() as other:
        locking = other.begin()
        other.execute(
            select(campaign_claims).where(campaign_claims.c.customer_id == "C000").with_for_update()
        ).all()
        assert store(seeded, "b").claim(2) == ["C002", "C003"]
        locking.rollback()
    assert store(seeded, "c").claim(1) == ["C000"]


def test_errors_are_reopened_for_a_resumed_run(seeded: Database) -> None:
    a = store(seeded, "a")
    a.claim(1)
    with seeded.begin() as conn:
        conn.execute(
            campaigns.insert().values(id="c1", playbook="p", created_at=NOW, audience="[]")
        )
        a.complete(conn, ["C000"])
        conn.execute(
            campaign_results.insert().values(
                campaign_id="c1", customer_id="C000", status="error", created_at=NOW
            )
        )
    assert a.remaining() == 8
    assert a.reopen_errors() == 1
    assert a.claim(1) == ["C000"]


def connection_lost() -> StoreError:
    try:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    except OperationalError as exc:
        error = StoreError(msg("数据库操作失败", "database error"))
        error.__cause__ = exc
        return error


def test_retry_waits_out_a_restart_with_backoff_and_says_so() -> None:
    notes: list[Msg] = []
    sleeps: list[float] = []
    failures = [connection_lost(), connection_lost(), connection_lost()]

    def step() -> str:
        if failures:
            raise failures.pop()
        return "written"

    retry = Retry(notes.append, sleep=sleeps.append)
    assert retry(step) == "written"
    assert sleeps == [0.5, 1.0, 2.0]
    assert [n.render("en").split(":")[0] for n in notes] == [
        "database unavailable; retry 1 in 0.5 s",
        "database unavailable; retry 2 in 1.0 s",
        "database unavailable; retry 3 in 2.0 s",
    ]


def test_retry_gives_up_with_what_to_do_and_passes_other_errors_at_once() -> None:
    def down() -> None:
        raise connection_lost()

    with pytest.raises(StoreError) as caught:
        Retry(lambda _: None, give_up_s=3, sleep=lambda _: None)(down)
    said = caught.value.render("en")
    assert "unreachable for over 3 s" in said and "run the same command again" in said

    def broken() -> None:
        raise StoreError("permission denied for table campaign_claims")

    calls: list[float] = []
    with pytest.raises(StoreError, match="permission denied"):
        Retry(lambda _: None, sleep=calls.append)(broken)
    assert calls == []
