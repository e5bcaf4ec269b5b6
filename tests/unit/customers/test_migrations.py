"""A log created before the hash chain is upgraded in place: its events are chained, and the
upgraded database has exactly the schema of a fresh one. SQLite files only (the PostgreSQL
upgrade is in tests/integration/test_postgres.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from copilot.audit.chain import verify
from copilot.audit.log import AuditLog, HumanAction
from copilot.errors import StoreError
from copilot.store import schema
from copilot.store.engine import Database
from tests.legacy_audit import legacy_store


def legacy_database(path: Path, ids: list[int]) -> str:
    """A SQLite store as the release before the chain left it, holding events with `ids`."""
    url = f"sqlite:///{path}"
    legacy_store(url, ids, explicit_ids=True)
    return url


def schema_of(url: str) -> dict[str, object]:
    engine = create_engine(url)
    shape: dict[str, object] = {}
    with engine.connect() as conn:
        objects = conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).all()
        for kind, name, sql in objects:
            if kind == "table":
                shape[f"table {name}"] = (
                    conn.exec_driver_sql(f"PRAGMA table_xinfo({name})").all(),
                    conn.exec_driver_sql(f"PRAGMA index_list({name})").all(),
                    conn.exec_driver_sql(f"PRAGMA foreign_key_list({name})").all(),
                )
            else:
                shape[f"{kind} {name}"] = sql
        shape["versions"] = conn.exec_driver_sql(
            "SELECT version, name FROM schema_version ORDER BY version"
        ).all()
    engine.dispose()
    return shape


def test_upgraded_and_fresh_databases_have_the_same_schema(tmp_path: Path) -> None:
    upgraded = legacy_database(tmp_path / "old.db", [1, 2, 3])
    Database(upgraded).dispose()
    fresh = f"sqlite:///{tmp_path / 'new.db'}"
    Database(fresh).dispose()
    old_shape, new_shape = schema_of(upgraded), schema_of(fresh)
    assert "trigger audit_events_append_guard" in new_shape
    assert old_shape == new_shape


@pytest.mark.parametrize("ids", [[1, 2, 3], [1, 2, 5, 9]])  # ids from before may have gaps
def test_existing_events_are_chained_and_new_ones_extend_the_chain(
    tmp_path: Path, ids: list[int]
) -> None:
    db = Database(legacy_database(tmp_path / "old.db", ids))
    report = verify(db)
    assert report.ok and (report.events, report.head_id) == (len(ids), ids[-1])
    log = AuditLog(db, redactor=lambda t: t)
    log.record(HumanAction(draft_id="new", action="rejected"))
    report = verify(db)
    assert report.ok and report.head_id == ids[-1] + 1
    assert [r.subject for r in log.events()] == [f"old-{i}" for i in ids] + ["new"]
    # the backfill lifted the UPDATE refusal only for itself
    with pytest.raises(StoreError, match="append-only"), db.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_events SET actor = 'x'")
    db.dispose()


def test_a_gap_after_the_upgrade_is_a_missing_event(tmp_path: Path) -> None:
    db = Database(legacy_database(tmp_path / "old.db", [1, 2]))
    log = AuditLog(db, redactor=lambda t: t)
    for name in ("a", "b", "c"):
        log.record(HumanAction(draft_id=name, action="accepted"))
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        conn.exec_driver_sql("DELETE FROM audit_events WHERE id = 4")
    report = verify(db)
    assert [(p.id, p.kind) for p in report.problems] == [(5, "missing")]
    assert json.loads(report.model_dump_json())["ok"] is False
    db.dispose()


def test_file_edited_in_place_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "siyu.db"
    db = Database(f"sqlite:///{path}")
    log = AuditLog(db, redactor=lambda t: t)
    for name in ("draft-0001", "draft-0002", "draft-0003"):
        log.record(HumanAction(draft_id=name, action="accepted"))
    with db.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    data = path.read_bytes()
    assert data.count(b"draft-0002") == 3  # subject, its index entry and payload
    path.write_bytes(data.replace(b"draft-0002", b"draft-9999"))
    report = verify(Database(f"sqlite:///{path}"))
    assert [(p.id, p.kind) for p in report.problems] == [(2, "altered")]


def test_schema_module_describes_the_migrated_database(tmp_path: Path) -> None:
    """``copilot.store.schema`` (what the code queries) matches what the migrations built."""
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    inspector = inspect(db.engine)
    for table in schema.metadata.sorted_tables:
        stored = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(stored) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert stored[column.name]["nullable"] == column.nullable, (table.name, column.name)
            assert (
                type(stored[column.name]["type"]).__name__.upper()
                == (column.type.compile(db.engine.dialect).split("(")[0])
            ), (table.name, column.name)
    db.dispose()
