"""Fixtures for the store tests: a fresh SQLite file per test, or a fresh PostgreSQL database
when ``SIYU_TEST_DATABASE_URL`` points at a server (set by tests/integration/test_postgres.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from copilot.customers.db import Database


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SIYU_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def db_url(home: Path) -> Iterator[str]:
    server = os.environ.get("SIYU_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{home / 'siyu.db'}"
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
