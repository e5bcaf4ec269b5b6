"""m001: the tables of the first release, frozen as they shipped.

Never edit this module: a database created by the first release and one created today must
end up identical after all migrations, so later changes are new migrations.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Connection

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("nickname", String(128), nullable=False, server_default=""),
    Column("tier", String(32), nullable=False, server_default=""),
    Column("tags", Text, nullable=False, server_default=""),
    Column("birthday", Date),
    Column("city", String(64), nullable=False, server_default=""),
    Column("joined_on", Date),
    Column("channel", String(64), nullable=False, server_default=""),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("ordered_at", DateTime, nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("items", Text, nullable=False, server_default=""),
    Index("ix_orders_customer", "customer_id", "ordered_at"),
)

consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("action", String(16), nullable=False),  # granted | withdrawn
    Column("at", DateTime, nullable=False),
    Column("source", String(128), nullable=False, server_default=""),
    UniqueConstraint("customer_id", "purpose", "action", "at", name="uq_consent_event"),
    Index("ix_consents_customer", "customer_id", "purpose", "at"),
)

communities = Table(
    "communities",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("timezone", String(64), nullable=False, server_default="Asia/Shanghai"),
    Column("quiet_start", String(5), nullable=False, server_default="21:00"),
    Column("quiet_end", String(5), nullable=False, server_default="09:00"),
    Column("daily_cap", Integer, nullable=False, server_default="2"),
)

scheduled_posts = Table(
    "scheduled_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("community", String(128), ForeignKey("communities.name"), nullable=False),
    Column("scheduled_at", DateTime, nullable=False),
    Column("post_type", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_posts_community", "community", "scheduled_at"),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("playbook", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("audience", Text, nullable=False),  # JSON list of customer ids fixed at the first run
)

campaign_results = Table(
    "campaign_results",
    metadata,
    Column("campaign_id", String(64), ForeignKey("campaigns.id"), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("status", String(16), nullable=False),  # drafted | excluded | error
    Column("verdict", String(8), nullable=False, server_default=""),
    Column("text", Text, nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default="{}"),  # JSON: fields, findings, reason
    Column("created_at", DateTime, nullable=False),
    Index("ix_results_customer", "customer_id", "created_at"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(64), nullable=False, server_default=""),
    Column("subject", String(128), nullable=False, server_default=""),
    Column("payload", Text, nullable=False),  # JSON, text fields redacted
    Index("ix_audit_at", "at"),
)


def m001_initial_tables(conn: Connection) -> None:
    metadata.create_all(conn)
