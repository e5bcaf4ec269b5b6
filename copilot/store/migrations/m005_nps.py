"""m005: ``nps_answers`` holds survey answers, one per customer and day (a second answer of the
same day is the same answer imported again). Frozen DDL: never edit once shipped.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

STATEMENTS = (
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


def m005_nps_answers(conn: Connection) -> None:
    """NPS survey answers."""
    for statement in STATEMENTS:
        conn.execute(text(statement))
