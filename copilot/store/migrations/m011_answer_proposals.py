"""m011: the 话术审核 review queue in the database, so every server replica sees the same
proposals and a review decided on one replica is decided on all (a review is one conditional
UPDATE from pending). Frozen: never edit once shipped; the table is described here as it shipped.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, Text
from sqlalchemy.engine import Connection

_meta = MetaData()

Table(
    "answer_proposals",
    _meta,
    Column("id", String(16), primary_key=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("proposed_by", String(64), nullable=False),
    Column("proposed_at", DateTime, nullable=False),
    Column("draft_id", String(64), nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("reviewed_by", String(64), nullable=False, server_default=""),
    Column("reviewed_at", DateTime),
    Column("reason", Text, nullable=False, server_default=""),
    Index("ix_answer_proposals_status", "status", "proposed_at"),
)


def m011_answer_proposals(conn: Connection) -> None:
    """Approved-answer proposals and their review."""
    _meta.create_all(conn)
