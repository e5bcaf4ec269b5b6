"""The audit log's hash chain: every kind of tampering is detected, the database refuses
rewrites (REPLACE, upserts, unlinked inserts), concurrent writers keep one chain, and the
verify/export/self-check commands report a damaged log instead of failing.

Runs on SQLite here and on PostgreSQL from tests/integration/test_postgres.py."""

from __future__ import annotations

import csv
import json
import os
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from copilot.audit.chain import verify
from copilot.audit.log import AuditLog, DamagedRow, HumanAction
from copilot.cli import app
from copilot.errors import StoreError
from copilot.messages import language
from copilot.store.engine import Database
from copilot.store.event_hash import HEAD, event_hash
from copilot.store.schema import audit_chain_head, audit_events

ON_POSTGRES = bool(os.environ.get("SIYU_TEST_DATABASE_URL"))  # see conftest.db_url
EVENTS = 6
COLUMNS = "id, at, kind, actor, subject, payload, prev_hash, hash"
FAKE = "f" * 64


def action(i: int) -> HumanAction:
    return HumanAction(draft_id=f"draft-{i:04d}", action="accepted")


@pytest.fixture
def log(db: Database) -> AuditLog:
    audit = AuditLog(db, redactor=lambda t: t)
    for i in range(1, EVENTS + 1):
        audit.record(action(i), actor="op")
    return audit


def raw(db: Database, *statements: str) -> None:
    with db.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def drop_guards(db: Database) -> None:
    """What someone with direct database access would do first."""
    if db.dialect == "sqlite":
        raw(
            db,
            *(
                f"DROP TRIGGER audit_events_{name}"
                for name in ("append_guard", "no_update", "no_delete")
            ),
        )
    else:
        raw(db, "ALTER TABLE audit_events DISABLE TRIGGER USER")


def stored(db: Database, event_id: int) -> dict:
    with db.engine.connect() as conn:
        row = conn.execute(select(audit_events).where(audit_events.c.id == event_id)).one()
    return dict(row._mapping)


def forged_values(db: Database, event_id: int, prev_hash: str, digest: str = FAKE) -> str:
    payload = action(99).model_dump_json().replace("accepted", "rejected")
    return (
        f"({event_id}, '2026-11-15 10:00:00', 'human_action', 'op', 'draft-0099', "
        f"'{payload}', '{prev_hash}', '{digest}')"
    )


def first(db: Database) -> tuple[int | None, str]:
    report = verify(db)
    assert not report.ok
    return report.problems[0].id, report.problems[0].kind


def test_an_untouched_log_verifies(log: AuditLog) -> None:
    report = verify(log.db)
    assert report.ok and report.problems == []
    assert (report.events, report.head_id) == (EVENTS, EVENTS)
    assert report.head_hash == stored(log.db, EVENTS)["hash"]
    assert stored(log.db, 1)["prev_hash"] == ""
    assert stored(log.db, 2)["prev_hash"] == stored(log.db, 1)["hash"]


def test_update_is_detected(log: AuditLog) -> None:
    drop_guards(log.db)
    raw(log.db, "UPDATE audit_events SET actor = 'someone-else' WHERE id = 3")
    assert first(log.db) == (3, "altered")


def test_delete_in_the_middle_and_at_the_end_are_detected(log: AuditLog) -> None:
    drop_guards(log.db)
    raw(log.db, f"DELETE FROM audit_events WHERE id IN (3, {EVENTS})")
    report = verify(log.db)
    assert [(p.id, p.kind) for p in report.problems] == [(4, "missing"), (EVENTS, "missing")]


def test_delete_with_the_whole_chain_recomputed_is_detected(log: AuditLog) -> None:
    drop_guards(log.db)
    raw(log.db, "DELETE FROM audit_events WHERE id = 3")
    with log.db.engine.begin() as conn:  # rewrite every later hash and the head as well
        prev = stored(log.db, 2)["hash"]
        for event_id in range(4, EVENTS + 1):
            row = {**stored(log.db, event_id), "prev_hash": prev}
            prev = event_hash(row)
            conn.execute(
                update(audit_events)
                .where(audit_events.c.id == event_id)
                .values(prev_hash=row["prev_hash"], hash=prev)
            )
        conn.execute(update(audit_chain_head).values(last_hash=prev))
    assert first(log.db) == (4, "missing")


def test_forged_insert_with_a_made_up_hash_is_detected(log: AuditLog) -> None:
    """It links to the last event, so even the database guard lets it in."""
    prev = stored(log.db, EVENTS)["hash"]
    raw(log.db, f"INSERT INTO audit_events ({COLUMNS}) VALUES {forged_values(log.db, 7, prev)}")
    report = verify(log.db)
    assert (report.problems[0].id, report.problems[0].kind) == (7, "forged")


def test_forged_insert_with_a_correct_hash_is_detected_by_the_head(log: AuditLog) -> None:
    prev = stored(log.db, EVENTS)["hash"]
    row = {**stored(log.db, EVENTS), "id": 7, "prev_hash": prev, "actor": "forger"}
    row["hash"] = event_hash(row)
    with log.db.engine.begin() as conn:
        conn.execute(audit_events.insert().values(**row))
    assert first(log.db) == (7, "forged")


@pytest.mark.parametrize(
    "verb", ["UPSERT"] if ON_POSTGRES else ["REPLACE INTO", "INSERT OR REPLACE INTO", "UPSERT"]
)
def test_replace_is_detected_when_the_guards_are_gone(log: AuditLog, verb: str) -> None:
    drop_guards(log.db)
    values = forged_values(log.db, 3, stored(log.db, 2)["prev_hash"])
    if verb == "UPSERT":
        raw(
            log.db,
            f"INSERT INTO audit_events ({COLUMNS}) VALUES {values} "
            "ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, hash = excluded.hash",
        )
    else:
        raw(log.db, f"{verb} audit_events ({COLUMNS}) VALUES {values}")
    assert "rejected" in stored(log.db, 3)["payload"]
    assert first(log.db) == (3, "altered")


def test_dropped_table_is_detected(log: AuditLog) -> None:
    raw(log.db, "DROP TABLE audit_events")
    report = verify(log.db)
    assert [(p.id, p.kind) for p in report.problems] == [(None, "table_missing")]


# Rewrites of the log in SQL both databases speak, then each one's own forms.
REWRITES = [
    "INSERT INTO audit_events ({c}) VALUES {v} ON CONFLICT (id) DO UPDATE SET actor = 'x'",
    "INSERT INTO audit_events ({c}) VALUES {v} ON CONFLICT DO NOTHING",
    "INSERT INTO audit_events (at, kind, payload) VALUES ('2026-11-15', 'k', '{{}}')",
    "INSERT INTO audit_events ({c}) VALUES {new}",
    "UPDATE audit_events SET actor = 'x' WHERE id = 3",
    "DELETE FROM audit_events WHERE id = 3",
]
SQLITE_REWRITES = [
    "REPLACE INTO audit_events ({c}) VALUES {v}",
    "INSERT OR REPLACE INTO audit_events ({c}) VALUES {v}",
    "INSERT OR IGNORE INTO audit_events ({c}) VALUES {v}",
    *REWRITES,
]
POSTGRES_REWRITES = [*REWRITES, "TRUNCATE audit_events"]


@pytest.mark.parametrize("statement", POSTGRES_REWRITES if ON_POSTGRES else SQLITE_REWRITES)
def test_the_database_refuses_rewrites(log: AuditLog, statement: str) -> None:
    before = verify(log.db)
    statement = statement.format(
        c=COLUMNS,
        v=forged_values(log.db, 3, stored(log.db, 2)["hash"]),
        new=forged_values(log.db, EVENTS + 1, FAKE),  # next id, but not linked
    )
    with pytest.raises(StoreError, match=r"append-only|hash chain"), log.db.begin() as conn:
        conn.exec_driver_sql(statement)
    assert verify(log.db) == before and before.ok


def test_concurrent_writers_build_one_chain(db: Database) -> None:
    writers, each = 4, 15
    errors: list[BaseException] = []

    def write(n: int) -> None:
        audit = AuditLog(db, redactor=lambda t: t)
        try:
            for i in range(each):
                audit.record(action(n * 100 + i), actor=f"writer-{n}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify(db)
    assert report.ok and report.events == report.head_id == writers * each


def invoke(*args: str, language: str = "zh") -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"SIYU_LANGUAGE": language})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.fixture
def cli_db(log: AuditLog, db_url: str, monkeypatch: pytest.MonkeyPatch) -> AuditLog:
    monkeypatch.setenv("SIYU_DATABASE_URL", db_url)
    return log


def test_verify_command(cli_db: AuditLog) -> None:
    code, out = invoke("audit", "verify", language="en")
    assert code == 0 and "audit log intact" in out and f"{EVENTS} events" in out
    code, out = invoke("audit", "verify")
    assert code == 0 and f"审计日志完整:{EVENTS} 个事件" in out and "intact" not in out
    drop_guards(cli_db.db)
    raw(cli_db.db, "DELETE FROM audit_events WHERE id = 2")
    code, out = invoke("audit", "verify")
    assert code == 1 and "第一处:事件 3 [missing] 缺少事件 2：被删除" in out
    code, out = invoke("audit", "verify", language="en")
    assert code == 1 and "first: event 3 [missing] missing events 2 (deleted)" in out
    code, out = invoke("audit", "verify", "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert (report["problems"][0]["id"], report["problems"][0]["kind"]) == (3, "missing")


def test_export_and_selfcheck_report_a_damaged_log(cli_db: AuditLog, tmp_path: Path) -> None:
    drop_guards(cli_db.db)
    raw(cli_db.db, "UPDATE audit_events SET payload = 'not json' WHERE id = 2")
    scanned = list(cli_db.scan())
    assert [r.id for r in scanned if isinstance(r, DamagedRow)] == [2]
    out = tmp_path / "audit.csv"
    code, output = invoke("audit", "export", "--out", str(out))
    assert code == 1 and "事件 2 无法读取" in output and "事件 2 [altered]" in output
    with out.open(encoding="utf-8-sig") as fh:
        ids = [int(row["id"]) for row in csv.DictReader(fh)]
    assert ids == [i for i in range(1, EVENTS + 1) if i != 2]
    code, output = invoke("selfcheck", "--month", f"{datetime.now():%Y-%m}")
    assert code == 1 and "Traceback" not in output
    assert "❌ 未通过 审计日志已被破坏" in output and "| 2 | altered |" in output


def test_export_and_selfcheck_report_a_dropped_table(cli_db: AuditLog, tmp_path: Path) -> None:
    raw(cli_db.db, "DROP TABLE audit_events")
    code, output = invoke("audit", "export", "--out", str(tmp_path / "a.csv"))
    assert code == 1 and "[table_missing]" in output
    code, output = invoke("selfcheck", "--month", f"{datetime.now():%Y-%m}")
    assert code == 1 and "table_missing" in output


def test_append_without_a_chain_head_is_a_store_error(log: AuditLog) -> None:
    raw(log.db, f"DELETE FROM audit_chain_head WHERE name = '{HEAD}'")
    with language("en"), pytest.raises(StoreError, match="chain head is missing"):
        log.record(action(7))
    assert first(log.db) == (None, "head_missing")
