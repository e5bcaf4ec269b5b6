"""m006: a draft's row gets its knowledge sources (newline-separated) and two covering indexes in
the order the reports group by, so a month is aggregated from the index alone, in order.
Frozen DDL: never edit once shipped.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

STATEMENTS = (
    "ALTER TABLE analytics_events ADD COLUMN sources TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX ix_analytics_acceptance ON analytics_events (kind, day, week, task, "
    "prompt_version, backend, actor, community, verdict, needs_human, action, reason, "
    "decision_seconds, edit_distance)",
    "CREATE INDEX ix_analytics_sources ON analytics_events (kind, day, sources, needs_human, "
    "action, decision_seconds, edit_distance)",
    "DELETE FROM analytics_tags",  # the projection is rebuilt (with sources) on the next report
    "DELETE FROM analytics_events",
)


def m006_analytics_indexes(conn: Connection) -> None:
    """Sources on draft rows and covering indexes for the reports."""
    for statement in STATEMENTS:
        conn.execute(text(statement))
