"""The store, audit, import, consent and campaign tests again, against a real PostgreSQL server,
plus the upgrade of an audit log from before the hash chain and the documented role setup.

A throwaway cluster is created with initdb (as the postgres user when running as root), started
on a free loopback port, used through SIYU_TEST_DATABASE_URL, and stopped by pg_ctl.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from copilot.audit.chain import verify
from copilot.audit.log import AuditLog, HumanAction
from copilot.errors import StoreError
from copilot.store.engine import Database
from tests.conftest import REPO
from tests.integration.servers import free_port
from tests.legacy_audit import legacy_store

pytestmark = pytest.mark.integration
STORE_TESTS = [
    "tests/unit/customers/test_db.py",
    "tests/unit/customers/test_audit.py",
    "tests/unit/customers/test_audit_chain.py",
    "tests/unit/customers/test_audit_browser.py",
    "tests/unit/customers/test_importer.py",
    "tests/unit/customers/test_consent.py",
    "tests/unit/customers/test_consent_rules.py",
    "tests/unit/customers/test_campaign.py",
    "tests/unit/customers/test_selfcheck.py",
    "tests/unit/customers/test_community_members.py",
]


def pg_bin() -> Path | None:
    if os.environ.get("SIYU_TEST_PG_BIN"):
        return Path(os.environ["SIYU_TEST_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def as_postgres(cmd: list[str]) -> list[str]:
    """Root may not run the server: drop to the postgres user."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    bindir = pg_bin()
    if bindir is None or not (bindir / "initdb").exists():
        pytest.skip("PostgreSQL binaries not found: install postgresql or set SIYU_TEST_PG_BIN")
    root = Path(tempfile.mkdtemp(prefix="siyu-pg-"))
    root.chmod(0o755)
    data, port = root / "data", free_port()
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
    subprocess.run(
        as_postgres(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    subprocess.run(
        as_postgres(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "server.log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def test_store_tests_pass_on_postgresql(pg_url: str) -> None:
    env = {**os.environ, "SIYU_TEST_DATABASE_URL": pg_url}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *STORE_TESTS],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout


def _database(server: str, name: str) -> str:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


def _shape(url: str) -> tuple[list[object], list[object]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        columns = conn.exec_driver_sql(
            "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, "
            "column_default FROM information_schema.columns WHERE table_schema = 'public' "
            "ORDER BY table_name, ordinal_position"
        ).all()
        triggers = conn.exec_driver_sql(
            "SELECT tgname, pg_get_triggerdef(oid), tgenabled FROM pg_trigger "
            "WHERE NOT tgisinternal ORDER BY tgname"
        ).all()
    engine.dispose()
    return list(columns), list(triggers)


def test_audit_log_upgrade_on_postgresql(pg_url: str) -> None:
    upgraded = _database(pg_url, "siyu_upgraded")
    legacy_store(upgraded, [1, 2, 3], explicit_ids=False)
    db = Database(upgraded)
    report = verify(db)
    assert report.ok and report.events == report.head_id == 3
    AuditLog(db, redactor=lambda t: t).record(HumanAction(draft_id="new", action="rejected"))
    assert verify(db).ok and verify(db).events == 4
    db.dispose()
    fresh = _database(pg_url, "siyu_fresh")
    Database(fresh).dispose()
    assert _shape(upgraded) == _shape(fresh)


def _statements(block: str) -> list[str]:
    return [part.strip() for part in block.split(";") if part.strip()]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'x'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "DROP TABLE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "DROP FUNCTION audit_events_append_guard() CASCADE",
        "UPDATE consents SET action = 'granted'",
        "DELETE FROM consents",
    ],
)
def test_documented_application_role_cannot_rewrite_the_audit_log(
    pg_url: str, statement: str
) -> None:
    roles, grants = re.findall(
        r"```sql\n(.*?)```", (REPO / "docs" / "postgres-roles.md").read_text(), re.S
    )
    host = pg_url.rsplit("@", 1)[1].rsplit("/", 1)[0]
    owner_url = f"postgresql+psycopg://siyu_owner:change-me-owner@{host}/siyu"
    superuser = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with superuser.connect() as conn:
        if (
            conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = 'siyu_app'").first()
            is None
        ):
            for sql in _statements(roles):
                conn.exec_driver_sql(sql)
            Database(owner_url).dispose()  # migrations, as the owner
            owner = create_engine(owner_url)
            with owner.begin() as owned:
                for sql in _statements(grants):
                    owned.exec_driver_sql(sql)
            owner.dispose()
    superuser.dispose()
    db = Database(f"postgresql+psycopg://siyu_app:change-me-app@{host}/siyu")
    log = AuditLog(db, redactor=lambda t: t)
    log.record(HumanAction(draft_id="by-app", action="accepted"), actor="app")
    before = verify(db)
    assert before.ok and before.events >= 1
    with pytest.raises(StoreError, match=r"permission denied|must be owner"), db.begin() as conn:
        conn.exec_driver_sql(statement)
    assert verify(db) == before
    db.dispose()
