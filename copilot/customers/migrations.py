"""Schema migrations: ordered functions, each applied once and recorded in ``schema_version``.

Add a new function at the end with ``@migration``; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, text
from sqlalchemy.engine import Connection

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
            conn.execute(
                text(
                    f"CREATE TRIGGER audit_events_no_{op.lower()} BEFORE {op} ON audit_events "
                    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
                )
            )
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
