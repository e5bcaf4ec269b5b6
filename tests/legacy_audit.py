"""An audit store as the release before the hash chain left it, for the upgrade tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import create_engine, text

from copilot.audit.log import HumanAction
from copilot.store import migrations


def legacy_store(url: str, numbers: list[int], *, explicit_ids: bool) -> None:
    """Build at `url` the schema of that release (versions 1-2, no chain head, no hash columns)
    holding one accepted-draft event per number, on day `number` of October 2026. With
    `explicit_ids` each event has its number as id (gaps included); without, the database
    numbers them (a PostgreSQL sequence is only advanced that way)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        migrations.applied_versions(conn)
        for version, fn in enumerate(migrations.MIGRATIONS[:2], start=1):
            fn(conn)
            conn.execute(
                migrations.schema_version.insert().values(
                    version=version, name=fn.__name__, applied_at=datetime(2026, 1, 1)
                )
            )
        id_column, id_value = ("id, ", ":id, ") if explicit_ids else ("", "")
        insert = text(
            f"INSERT INTO audit_events ({id_column}at, kind, actor, subject, payload) "
            f"VALUES ({id_value}:at, 'human_action', 'op', :subject, :payload)"
        )
        for number in numbers:
            payload = HumanAction(draft_id=f"old-{number}", action="accepted")
            conn.execute(
                insert,
                {
                    "id": number,
                    "at": datetime(2026, 10, number, 9, 30),
                    "subject": f"old-{number}",
                    "payload": payload.model_dump_json(),
                },
            )
    engine.dispose()
