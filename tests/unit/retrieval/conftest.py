from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.retrieval import Ingestor, Retriever
from copilot.retrieval.store import VectorStore, open_store
from tests.conftest import FIXTURES


@pytest.fixture
def store(fake_settings: Settings) -> VectorStore:
    return open_store(fake_settings)


@pytest.fixture
def ingestor(store: VectorStore, fake_settings: Settings) -> Ingestor:
    return Ingestor(store, fake_settings.retrieval)


@pytest.fixture
def retriever(store: VectorStore, fake_settings: Settings) -> Retriever:
    return Retriever(store, fake_settings.retrieval, fake_settings.cache_dir / "snapshot")


@pytest.fixture
def broken_kb(tmp_path: Path) -> Path:
    """A writable copy of the deliberately broken knowledge folder."""
    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_broken", target)
    return target
