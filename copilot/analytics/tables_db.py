"""The analytics tables as SQLAlchemy objects for queries (created by ``ddl.M004_ANALYTICS``)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

facts = Table(
    "analytics_events",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime, nullable=False),
    Column("day", String(10), nullable=False),
    Column("week", String(10), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("task", String(32), nullable=False),
    Column("prompt_version", String(64), nullable=False),
    Column("backend", String(64), nullable=False),
    Column("community", String(128), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("needs_human", Integer, nullable=False),
    Column("question", Text, nullable=False),
    Column("marketing", Integer, nullable=False),
    Column("scheduled_day", String(10), nullable=False),
    Column("action", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("decision_seconds", Float),
    Column("edit_distance", Integer),
    Column("edited_text", Text, nullable=False),
)

tags = Table(
    "analytics_tags",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=False),
    Column("tag", String(16), primary_key=True),
    Column("value", String(256), primary_key=True),
)
