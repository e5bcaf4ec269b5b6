"""20 concurrent clients (locust, headless, in its own process) ask a real uvicorn server for
template-mode replies: every request succeeds and is recorded once. Speed is measured by
``python -m benchmarks.api_load``, not here."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.api_load import prepared_copilot, run_load, serving

pytestmark = pytest.mark.integration


def test_twenty_concurrent_clients_get_replies_without_errors(tmp_path: Path) -> None:
    app = prepared_copilot(tmp_path / "home", embedder="fake")
    with serving(app) as host:
        result = run_load(host, users=20, seconds=8, workdir=tmp_path)
    assert result.requests > 0
    assert result.failures == 0
    drafted = sum(1 for _ in app.audit.events(kinds={"draft_created"}))
    assert drafted >= result.requests  # one event per suggestion, at least one per reply
    app.db.dispose()
