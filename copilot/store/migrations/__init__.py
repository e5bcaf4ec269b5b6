"""Schema migrations: ordered functions, each applied once and recorded in ``schema_version``.

Each migration lives in its own module with its DDL frozen as it shipped (m001 describes the
first release's tables itself instead of using ``copilot.store.schema``), so a database created
by any release and one created today end up identical. Add a new module and append its function
to ``MIGRATIONS`` (its version is the number in its name); never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.engine import Connection

from copilot.store.migrations.m001_initial import m001_initial_tables
from copilot.store.migrations.m002_audit_append_only import m002_audit_append_only
from copilot.store.migrations.m003_audit_hash_chain import m003_audit_hash_chain
from copilot.store.migrations.m004_analytics import m004_analytics_projection
from copilot.store.migrations.m005_nps import m005_nps_answers
from copilot.store.migrations.m006_analytics_indexes import m006_analytics_indexes
from copilot.store.migrations.m007_api_keys import m007_api_keys
from copilot.store.migrations.m008_wecom import m008_wecom
from copilot.store.migrations.m009_analytics_messages import m009_analytics_messages
from copilot.store.migrations.m010_campaign_claims import m010_campaign_claims
from copilot.store.migrations.m011_answer_proposals import m011_answer_proposals
from copilot.store.migrations.m012_community_members import m012_community_members

Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = [
    m001_initial_tables,
    m002_audit_append_only,
    m003_audit_hash_chain,
    m004_analytics_projection,
    m005_nps_answers,
    m006_analytics_indexes,
    m007_api_keys,
    m008_wecom,
    m009_analytics_messages,
    m010_campaign_claims,
    m011_answer_proposals,
    m012_community_members,
]

_version_meta = MetaData()
schema_version = Table(
    "schema_version",
    _version_meta,
    Column("version", Integer, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("applied_at", DateTime, nullable=False),
)


def applied_versions(conn: Connection) -> set[int]:
    _version_meta.create_all(conn)
    return set(conn.execute(select(schema_version.c.version)).scalars())


def migrate(conn: Connection) -> list[str]:
    """Apply pending migrations in order; returns the names applied (empty when up to date)."""
    done = applied_versions(conn)
    applied: list[str] = []
    for fn in MIGRATIONS:
        version = int(fn.__name__[1:4])  # the module's number: m0NN_… is version NN
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
