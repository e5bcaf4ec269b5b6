"""Tables of the customer, consent, campaign and audit store (SQLite or PostgreSQL).

These describe the schema as of the latest migration in ``copilot.store.migrations``;
amounts are integer fen (分) so sums stay exact on every backend.
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

community_members = Table(
    "community_members",
    metadata,
    Column("community", String(128), ForeignKey("communities.name"), primary_key=True),
    Column("nickname", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False, server_default=""),  # "" = not linked
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
    # hash chain (copilot.audit.chain): sha256 hex of this event and of the one before it
    Column("prev_hash", String(64), nullable=False, server_default=""),
    Column("hash", String(64), nullable=False, server_default=""),
    Index("ix_audit_at", "at"),
    Index("ix_audit_subject", "subject", "id"),
)

audit_chain_head = Table(
    "audit_chain_head",
    metadata,
    Column("name", String(32), primary_key=True),  # one row, named after the chained table
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    # events up to here were chained by the migration; their ids may have gaps from before
    Column("legacy_last_id", Integer, nullable=False, server_default="0"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),  # sha256 hex of the secret part
    Column("scopes", String(128), nullable=False),  # comma-separated
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

wecom_cursors = Table(
    "wecom_cursors",
    metadata,
    Column("open_kfid", String(64), primary_key=True),  # the customer service account
    Column("cursor", String(128), nullable=False, server_default=""),  # kf/sync_msg next_cursor
    Column("updated_at", DateTime, nullable=False),
)

wecom_queue = Table(
    "wecom_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("msgid", String(128), nullable=False, unique=True),  # WeCom's id: one item per message
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

answer_proposals = Table(
    "answer_proposals",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("question", Text, nullable=False),  # PII-redacted customer question
    Column("answer", Text, nullable=False),
    Column("proposed_by", String(64), nullable=False),
    Column("proposed_at", DateTime, nullable=False),
    Column("draft_id", String(64), nullable=False, server_default=""),
    Column(
        "status", String(16), nullable=False, server_default="pending"
    ),  # pending|approved|rejected
    Column("reviewed_by", String(64), nullable=False, server_default=""),
    Column("reviewed_at", DateTime),
    Column("reason", Text, nullable=False, server_default=""),
    Index("ix_answer_proposals_status", "status", "proposed_at"),
)

campaign_claims = Table(
    "campaign_claims",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),  # order of the audience
    Column("worker", String(64), nullable=False, server_default=""),  # "" = never leased
    Column("lease_until", DateTime),  # the database's clock (UTC); NULL = free
    Column("done_at", DateTime),  # the result row was written (in the same transaction)
    Index("ix_claims_open", "campaign_id", "done_at", "position"),
)

campaign_versions = Table(
    "campaign_versions",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("playbook_version", String(64), nullable=False),  # playbook id#content hash
    Column("prompt_version", String(64), nullable=False),  # prompt id.language version#hash
)
