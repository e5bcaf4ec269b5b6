"""Frozen DDL of the analytics tables, run once by migrations m004–m006 (never edited once
shipped).

``analytics_events`` is a projection of the audit log with the fields the reports group by as
plain columns (the log keeps them inside a JSON payload, which is costly to parse on every
report); a draft's row also carries the first decision a person took on it.
``analytics_tags`` holds the lists of an event (knowledge sources, rules fired, rules
overridden). Both are rebuilt from the log by dropping their rows: they hold nothing the log
does not.
M006 gives a draft's row its knowledge sources (newline-separated) and two covering indexes in
the order the reports group by, so a month is aggregated from the index alone, in order.
``nps_answers`` holds survey answers, one per customer and day (a second answer of the same day
is the same answer imported again).
"""

from __future__ import annotations

M004_ANALYTICS = (
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

M005_NPS = (
    """CREATE TABLE nps_answers (
        customer_id VARCHAR(64) NOT NULL,
        answered_on DATE NOT NULL,
        score INTEGER NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        channel VARCHAR(128) NOT NULL DEFAULT '',
        imported_at TIMESTAMP NOT NULL,
        PRIMARY KEY (customer_id, answered_on)
    )""",
    "CREATE INDEX ix_nps_answered ON nps_answers (answered_on)",
)

M006_ANALYTICS_INDEXES = (
    "ALTER TABLE analytics_events ADD COLUMN sources TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX ix_analytics_acceptance ON analytics_events (kind, day, week, task, "
    "prompt_version, backend, actor, community, verdict, needs_human, action, reason, "
    "decision_seconds, edit_distance)",
    "CREATE INDEX ix_analytics_sources ON analytics_events (kind, day, sources, needs_human, "
    "action, decision_seconds, edit_distance)",
    "DELETE FROM analytics_tags",  # the projection is rebuilt (with sources) on the next report
    "DELETE FROM analytics_events",
)
