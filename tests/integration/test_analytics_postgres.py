"""The analytics tests (report figures, damaged log, gaps, NPS, demo month) against a real
PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.integration.test_postgres import pg_url

__all__ = ["pg_url"]
pytestmark = pytest.mark.integration


def test_analytics_tests_pass_on_postgresql(pg_url: str) -> None:
    env = {**os.environ, "SIYU_TEST_DATABASE_URL": pg_url}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit/analytics"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
