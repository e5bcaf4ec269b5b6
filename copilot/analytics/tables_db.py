"""The analytics tables as SQLAlchemy objects for queries (created by the DDL in ``ddl``)."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, Integer, MetaData, String, Table, Text

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
    Column("sources", Text, nullable=False),
)

tags = Table(
    "analytics_tags",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=False),
    Column("tag", String(16), primary_key=True),
    Column("value", String(256), primary_key=True),
)

nps_answers = Table(
    "nps_answers",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("answered_on", Date, primary_key=True),
    Column("score", Integer, nullable=False),
    Column("comment", Text, nullable=False),
    Column("channel", String(128), nullable=False),
    Column("imported_at", DateTime, nullable=False),
)
