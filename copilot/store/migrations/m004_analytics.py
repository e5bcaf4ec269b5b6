"""m004: the analytics projection of the audit log (``analytics_events``, ``analytics_tags``).

``analytics_events`` is a projection of the audit log with the fields the reports group by as
plain columns (the log keeps them inside a JSON payload, which is costly to parse on every
report); a draft's row also carries the first decision a person took on it.
``analytics_tags`` holds the lists of an event (knowledge sources, rules fired, rules
overridden). Both are rebuilt from the log by dropping their rows: they hold nothing the log
does not. Frozen DDL: never edit once shipped.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

STATEMENTS = (
    """CREATE TABLE analytics_events (
        event_id INTEGER PRIMARY KEY,
        at TIMESTAMP NOT NULL,
        day VARCHAR(10) NOT NULL,
        week VARCHAR(10) NOT NULL,
        kind VARCHAR(32) NOT NULL,
        actor VARCHAR(64) NOT NULL DEFAULT '',
        subject VARCHAR(128) NOT NULL DEFAULT '',
        task VARCHAR(32) NOT NULL DEFAULT '',
        prompt_version VARCHAR(64) NOT NULL DEFAULT '',
        backend VARCHAR(64) NOT NULL DEFAULT '',
        community VARCHAR(128) NOT NULL DEFAULT '',
        customer_id VARCHAR(64) NOT NULL DEFAULT '',
        verdict VARCHAR(16) NOT NULL DEFAULT '',
        needs_human INTEGER NOT NULL DEFAULT 0,
        question TEXT NOT NULL DEFAULT '',
        marketing INTEGER NOT NULL DEFAULT 0,
        scheduled_day VARCHAR(10) NOT NULL DEFAULT '',
        action VARCHAR(16) NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        decision_seconds REAL,
        edit_distance INTEGER,
        edited_text TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX ix_analytics_kind_at ON analytics_events (kind, at)",
    "CREATE INDEX ix_analytics_subject ON analytics_events (subject)",
    """CREATE TABLE analytics_tags (
        event_id INTEGER NOT NULL,
        tag VARCHAR(16) NOT NULL,
        value VARCHAR(256) NOT NULL,
        PRIMARY KEY (event_id, tag, value)
    )""",
)


def m004_analytics_projection(conn: Connection) -> None:
    """The analytics projection of the audit log."""
    for statement in STATEMENTS:
        conn.execute(text(statement))
