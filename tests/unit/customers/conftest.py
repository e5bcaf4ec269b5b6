"""Fixtures for the store tests: a fresh SQLite file per test, or a fresh PostgreSQL database
when ``SIYU_TEST_DATABASE_URL`` points at a server (set by tests/integration/test_postgres.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from copilot.audit.log import AuditLog
from copilot.config import Settings
from copilot.customers.catalog import Product, load_catalog
from copilot.customers.consent import ConsentRegistry
from copilot.customers.demo import DemoGenerator
from copilot.customers.importer import Importer
from copilot.store.engine import Database
from tests.conftest import REPO

AS_OF = date(2026, 11, 15)
NOW = datetime(2026, 11, 15, 10, 0)


@pytest.fixture
def db_url(siyu_home: Path) -> Iterator[str]:
    server = os.environ.get("SIYU_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{siyu_home / 'siyu.db'}"
        return
    name = f"siyu_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def catalog() -> dict[str, Product]:
    return load_catalog(REPO / "knowledge" / "products.csv")


@pytest.fixture(scope="session")
def demo_csvs(tmp_path_factory: pytest.TempPathFactory, catalog: dict[str, Product]) -> list[Path]:
    out = tmp_path_factory.mktemp("demo")
    DemoGenerator(list(catalog.values()), seed=7, as_of=AS_OF).write(
        out, customers=300, orders=3000
    )
    return [out / "customers.csv", out / "orders.csv", out / "consents.csv"]


@pytest.fixture
def demo_db(db: Database, demo_csvs: list[Path], tmp_path: Path) -> Database:
    Importer(db, purposes=Settings().guardrails.purpose_fields).run(
        demo_csvs, dry_run=False, errors_path=tmp_path / "errors.csv"
    )
    return db


@pytest.fixture
def registry(demo_db: Database) -> ConsentRegistry:
    audit = AuditLog(demo_db, clock=lambda: NOW)
    return ConsentRegistry(demo_db, audit, Settings().guardrails.purpose_fields, clock=lambda: NOW)
