"""The store, audit, import, consent and campaign tests again, against a real PostgreSQL server.

A throwaway cluster is created with initdb (as the postgres user when running as root), started
on a free loopback port, used through SIYU_TEST_DATABASE_URL, and stopped by pg_ctl.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integration.servers import free_port

pytestmark = pytest.mark.integration
STORE_TESTS = [
    "tests/unit/customers/test_db.py",
    "tests/unit/customers/test_audit.py",
    "tests/unit/customers/test_importer.py",
    "tests/unit/customers/test_consent.py",
    "tests/unit/customers/test_campaign.py",
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
