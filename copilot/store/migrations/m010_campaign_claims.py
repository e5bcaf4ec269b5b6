"""m010: campaigns drafted by several workers. `campaign_claims` holds one row per customer of a
campaign on PostgreSQL: its place in the audience, the worker that leased it, until when (the database's clock) and when its
result was written; `campaign_versions` records the playbook and prompt versions a campaign was
started with, so a worker with other files cannot join it. Frozen: never edit once shipped; the
tables are described here as they shipped."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table
from sqlalchemy.engine import Connection

_meta = MetaData()

Table(
    "campaign_claims",
    _meta,
    Column("campaign_id", String(64), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("worker", String(64), nullable=False, server_default=""),
    Column("lease_until", DateTime),
    Column("done_at", DateTime),
    Index("ix_claims_open", "campaign_id", "done_at", "position"),
)

Table(
    "campaign_versions",
    _meta,
    Column("campaign_id", String(64), primary_key=True),
    Column("playbook_version", String(64), nullable=False),
    Column("prompt_version", String(64), nullable=False),
)


def m010_campaign_claims(conn: Connection) -> None:
    """Customer leases of campaign workers and the versions each campaign started with."""
    _meta.create_all(conn)
