"""m007: API keys (only a hash of each secret is kept) and an index on the audit log's subject,
so a draft is found by its id when a person's decision on it arrives. Frozen: never edit once
shipped; the table is described here as it shipped."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table, text
from sqlalchemy.engine import Connection

_meta = MetaData()
api_keys = Table(
    "api_keys",
    _meta,
    Column("id", String(16), primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", String(128), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)


def m007_api_keys(conn: Connection) -> None:
    """API keys and the audit log's subject index."""
    api_keys.create(conn)
    conn.execute(text("CREATE INDEX ix_audit_subject ON audit_events (subject, id)"))
