"""m002: the database itself refuses UPDATE and DELETE on the audit log, not only the code.
Frozen: never edit once shipped."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

APPEND_ONLY_MESSAGE = "audit_events is append-only"


def sqlite_refusal(op: str) -> str:
    """The SQLite trigger refusing `op` (UPDATE or DELETE) on ``audit_events``."""
    return (
        f"CREATE TRIGGER audit_events_no_{op.lower()} BEFORE {op} ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
    )


def m002_audit_append_only(conn: Connection) -> None:
    """The database itself refuses UPDATE and DELETE on the audit log, not only the code."""
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.execute(text(sqlite_refusal(op)))
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
