"""Schema migrations: ordered functions, each applied once and recorded in ``schema_version``.

Add a new function at the end with ``@migration``; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection

from copilot.analytics.ddl import M004_ANALYTICS, M005_NPS, M006_ANALYTICS_INDEXES
from copilot.audit_chain import GENESIS, HEAD, event_hash
from copilot.customers import schema

Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = []

_version_meta = MetaData()
schema_version = Table(
    "schema_version",
    _version_meta,
    Column("version", Integer, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

APPEND_ONLY_MESSAGE = "audit_events is append-only"
CHAIN_MESSAGE = "audit_events: a new event must be the next link of the hash chain"
BACKFILL_ROWS = 5000


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_initial_tables(conn: Connection) -> None:
    schema.metadata.create_all(conn)


@migration
def m002_audit_append_only(conn: Connection) -> None:
    """The database itself refuses UPDATE and DELETE on the audit log, not only the code."""
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.execute(text(_sqlite_refusal(op)))
    elif conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$ LANGUAGE plpgsql"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
                "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
            )
        )


def _sqlite_refusal(op: str) -> str:
    return (
        f"CREATE TRIGGER audit_events_no_{op.lower()} BEFORE {op} ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
    )


def _backfill(conn: Connection) -> tuple[int, str]:
    """Hash the events stored before the chain existed, oldest first; (last id, last hash)."""
    table = schema.audit_events
    last_id, prev = 0, GENESIS
    stmt = (
        update(schema.audit_events)
        .where(table.c.id == bindparam("b_id"))
        .values(prev_hash=bindparam("b_prev"), hash=bindparam("b_hash"))
    )
    while True:
        page = conn.execute(
            select(table).where(table.c.id > last_id).order_by(table.c.id).limit(BACKFILL_ROWS)
        ).mappings()
        links = []
        for row in page:
            digest = event_hash({**row, "prev_hash": prev})
            links.append({"b_id": row["id"], "b_prev": prev, "b_hash": digest})
            last_id, prev = row["id"], digest
        if not links:
            return last_id, prev
        conn.execute(stmt, links)


def _chain_existing_events(conn: Connection) -> tuple[int, str]:
    """Backfill with the UPDATE refusal lifted inside this transaction only."""
    if conn.execute(select(schema.audit_events.c.id).limit(1)).first() is None:
        return 0, GENESIS
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        chained = _backfill(conn)
        conn.execute(text(_sqlite_refusal("UPDATE")))
        return chained
    conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
    chained = _backfill(conn)
    conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change"))
    return chained


@migration
def m003_audit_hash_chain(conn: Connection) -> None:
    """Chain the audit log: prev_hash/hash on every event (existing ones hashed here), the
    chain head row, and a database-side refusal of any insert that is not the next link —
    REPLACE, INSERT OR REPLACE and upserts included (SQLite fires no DELETE trigger for the
    row REPLACE removes, but it fires BEFORE INSERT)."""
    present = {c["name"] for c in inspect(conn).get_columns("audit_events")}
    for name in ("prev_hash", "hash"):
        if name not in present:  # logs created before this migration (m001 now creates them)
            conn.execute(
                text(f"ALTER TABLE audit_events ADD COLUMN {name} VARCHAR(64) DEFAULT '' NOT NULL")
            )
    schema.audit_chain_head.create(conn, checkfirst=True)
    last_id, last_hash = _chain_existing_events(conn)
    conn.execute(
        schema.audit_chain_head.insert().values(
            name=HEAD, last_id=last_id, last_hash=last_hash, legacy_last_id=last_id
        )
    )
    if conn.dialect.name == "sqlite":
        conn.execute(
            text(
                "CREATE TRIGGER audit_events_append_guard BEFORE INSERT ON audit_events BEGIN "
                f"SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}') "
                "WHERE EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id); "
                f"SELECT RAISE(ABORT, '{CHAIN_MESSAGE}') "
                "WHERE NEW.id IS NOT (SELECT coalesce(max(id), 0) + 1 FROM audit_events) "
                "OR NEW.prev_hash IS NOT coalesce("
                "(SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), ''); END"
            )
        )
    elif conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "CREATE FUNCTION audit_events_append_guard() RETURNS trigger AS $$ "
                "DECLARE last_id integer; last_hash text; BEGIN "
                "IF EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) THEN "
                f"RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END IF; "
                "SELECT id, hash INTO last_id, last_hash FROM audit_events "
                "ORDER BY id DESC LIMIT 1; "
                "IF NEW.id IS DISTINCT FROM coalesce(last_id, 0) + 1 "
                "OR NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, '') THEN "
                f"RAISE EXCEPTION '{CHAIN_MESSAGE}'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER audit_events_append_guard BEFORE INSERT ON audit_events "
                "FOR EACH ROW EXECUTE FUNCTION audit_events_append_guard()"
            )
        )


@migration
def m004_analytics_projection(conn: Connection) -> None:
    """The analytics projection of the audit log (``copilot.analytics.ddl``)."""
    for statement in M004_ANALYTICS:
        conn.execute(text(statement))


@migration
def m005_nps_answers(conn: Connection) -> None:
    """NPS survey answers (``copilot.analytics.ddl``)."""
    for statement in M005_NPS:
        conn.execute(text(statement))


@migration
def m006_analytics_indexes(conn: Connection) -> None:
    """Sources on draft rows and covering indexes for the reports (``copilot.analytics.ddl``)."""
    for statement in M006_ANALYTICS_INDEXES:
        conn.execute(text(statement))


def applied_versions(conn: Connection) -> set[int]:
    _version_meta.create_all(conn)
    return set(conn.execute(select(schema_version.c.version)).scalars())


def migrate(conn: Connection) -> list[str]:
    """Apply pending migrations in order; returns the names applied (empty when up to date)."""
    done = applied_versions(conn)
    applied: list[str] = []
    for version, fn in enumerate(MIGRATIONS, start=1):
        if version in done:
            continue
        fn(conn)
        conn.execute(
            schema_version.insert().values(
                version=version, name=fn.__name__, applied_at=datetime.now()
            )
        )
        applied.append(fn.__name__)
    return applied
