"""m008: the WeChat Customer Service connector's tables — the sync cursor of each customer
service account and the queue of customer messages (one row per WeCom msgid) with their
suggestions, the approved text and the sending outcome. Frozen: never edit once shipped; the
tables are described here as they stood at this migration."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import Connection

_meta = MetaData()

Table(
    "wecom_cursors",
    _meta,
    Column("open_kfid", String(64), primary_key=True),
    Column("cursor", String(128), nullable=False, server_default=""),
    Column("updated_at", DateTime, nullable=False),
)

Table(
    "wecom_queue",
    _meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("msgid", String(128), nullable=False, unique=True),
    Column("open_kfid", String(64), nullable=False),
    Column("external_userid", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("received_at", DateTime, nullable=False),
    # new | drafted | approved | sent | failed | rejected
    Column("status", String(16), nullable=False, server_default="new"),
    Column("suggestions", Text, nullable=False, server_default="[]"),  # JSON list
    Column("approved_text", Text, nullable=False, server_default=""),
    Column("approver", String(64), nullable=False, server_default=""),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("sent_at", DateTime),
    Index("ix_wecom_queue_status", "status", "received_at"),
)


def m008_wecom(conn: Connection) -> None:
    """WeCom sync cursors and the message queue."""
    _meta.create_all(conn)
