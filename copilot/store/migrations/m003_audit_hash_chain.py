"""m003: chain the audit log (prev_hash/hash on every event, the chain head row) and refuse in
the database any insert that is not the next link. Frozen: never edit once shipped; the tables
are described here as they stood at this migration."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection

from copilot.store.event_hash import GENESIS, HEAD, event_hash
from copilot.store.migrations.m002_audit_append_only import APPEND_ONLY_MESSAGE, sqlite_refusal

CHAIN_MESSAGE = "audit_events: a new event must be the next link of the hash chain"
BACKFILL_ROWS = 5000

_meta = MetaData()
audit_events = Table(
    "audit_events",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
audit_chain_head = Table(
    "audit_chain_head",
    _meta,
    Column("name", String(32), primary_key=True),
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("legacy_last_id", Integer, nullable=False, server_default="0"),
)


def _backfill(conn: Connection) -> tuple[int, str]:
    """Hash the events stored before the chain existed, oldest first; (last id, last hash)."""
    table = audit_events
    last_id, prev = 0, GENESIS
    stmt = (
        update(audit_events)
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
    if conn.execute(select(audit_events.c.id).limit(1)).first() is None:
        return 0, GENESIS
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        chained = _backfill(conn)
        conn.execute(text(sqlite_refusal("UPDATE")))
        return chained
    conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
    chained = _backfill(conn)
    conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change"))
    return chained


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
    audit_chain_head.create(conn, checkfirst=True)
    last_id, last_hash = _chain_existing_events(conn)
    conn.execute(
        audit_chain_head.insert().values(
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
