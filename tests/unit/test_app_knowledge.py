"""`Copilot.ensure_knowledge`: the configured knowledge base is ingested into an empty store
only, then the app is warm."""

from __future__ import annotations

from pathlib import Path

from copilot.app import Copilot
from copilot.config import Settings


def test_an_empty_store_is_ingested_once_and_a_full_one_never(tmp_path: Path) -> None:
    app = Copilot.from_settings(Settings(home=tmp_path, embedding={"provider": "fake"}))
    calls: list[list[Path]] = []

    def ingest(paths: list[Path]) -> None:
        calls.append(paths)
        app.ingestor.ingest(paths)

    app.ensure_knowledge(ingest, warm=False)
    assert calls == [[app.settings.knowledge_dir]]
    assert app.store.count() > 0
    app.ensure_knowledge(ingest)
    assert len(calls) == 1  # the store holds the knowledge base: nothing ingested again
    assert "drafter" in vars(app)  # warm: the drafter was built and used once
    app.db.dispose()
