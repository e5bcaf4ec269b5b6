from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select, text

from copilot.errors import StoreError
from copilot.store.engine import Database
from copilot.store.migrations import MIGRATIONS, schema_version
from copilot.store.schema import audit_events, consents, customers


def test_migrations_recorded_once(db: Database) -> None:
    assert db.migrate() == []
    with db.begin() as conn:
        versions = conn.execute(select(schema_version.c.version)).scalars().all()
    assert versions == list(range(1, len(MIGRATIONS) + 1))


def test_upsert_replaces_non_key_columns(db: Database) -> None:
    row = {"id": "C1", "name": "张三", "city": "上海", "birthday": date(1990, 5, 1)}
    with db.begin() as conn:
        db.upsert(conn, customers, [row], ["id"])
        db.upsert(conn, customers, [{**row, "city": "杭州"}], ["id"])
        stored = conn.execute(select(customers.c.city)).scalars().all()
    assert stored == ["杭州"]


def test_insert_ignore_keeps_existing_consent_event(db: Database) -> None:
    at = datetime(2026, 1, 1, 10, 0)
    event = {"customer_id": "C1", "purpose": "p", "action": "granted", "at": at, "source": "a"}
    with db.begin() as conn:
        db.upsert(conn, customers, [{"id": "C1", "name": "张三"}], ["id"])
        db.insert_ignore(conn, consents, [event])
        db.insert_ignore(conn, consents, [{**event, "source": "b"}])
        sources = conn.execute(select(consents.c.source)).scalars().all()
    assert sources == ["a"]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET kind = 'x'", "DELETE FROM audit_events"],
)
def test_database_refuses_changes_to_audit_log(db: Database, statement: str) -> None:
    with db.begin() as conn:
        conn.execute(
            audit_events.insert().values(id=1, at=datetime(2026, 1, 1), kind="k", payload="{}")
        )
    with pytest.raises(StoreError, match="append-only"), db.begin() as conn:
        conn.execute(text(statement))
    with db.begin() as conn:
        assert conn.execute(select(audit_events.c.kind)).scalars().all() == ["k"]


def test_unknown_driver_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="SIYU_DATABASE_URL"):
        Database("nosuchdb://x/y")


def test_profiles_read_the_last_order_and_break_a_tie_by_order_id(db: Database) -> None:
    from copilot.customers.catalog import Product
    from copilot.customers.profiles import load_profiles
    from copilot.store.schema import orders

    last = datetime(2026, 11, 1, 9, 30)
    rows = [  # inserted so that neither the first nor the last row written is the answer
        {"id": "O-1", "at": last, "items": "FIRST*1"},
        {"id": "O-9", "at": last, "items": "SKU-WIPES*2;TOWEL"},
        {"id": "O-3", "at": datetime(2026, 10, 1, 8, 0), "items": "OLDER*1"},
        {"id": "O-5", "at": last, "items": "MIDDLE*1"},
    ]
    catalog = {"SKU-WIPES": Product(sku="SKU-WIPES", name="湿巾", category="日用", price=19.9)}
    with db.begin() as conn:
        db.upsert(
            conn, customers, [{"id": "C1", "name": "张三"}, {"id": "C2", "name": "李四"}], ["id"]
        )
        conn.execute(
            orders.insert(),
            [
                {
                    "id": r["id"],
                    "customer_id": "C1",
                    "ordered_at": r["at"],
                    "amount_fen": 100,
                    "items": r["items"],
                }
                for r in rows
            ],
        )
        profiles = load_profiles(conn, ["C1", "C2", "C-unknown"], catalog)
    assert set(profiles) == {"C1", "C2"}
    assert (profiles["C1"].order_count, profiles["C1"].total_spent_fen) == (4, 400)
    assert profiles["C1"].last_order_at == last
    assert profiles["C1"].last_order_items == ["湿巾", "TOWEL"]  # O-9, the greatest id at that time
    assert (profiles["C2"].order_count, profiles["C2"].last_order_items) == (0, [])
