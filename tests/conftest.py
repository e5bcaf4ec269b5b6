"""Shared fixtures: every test runs with its own SIYU_HOME and fresh settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.config import Settings, get_settings

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def siyu_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private SIYU_HOME; settings are re-read from the environment for each test. Messages
    render in Chinese whatever the developer's locale, unless a test asks for English."""
    home = tmp_path / "siyu-home"
    monkeypatch.setenv("SIYU_HOME", str(home))
    monkeypatch.setenv("SIYU_LANGUAGE", "zh")
    for name in ("SIYU_CHROMA_URL", "SIYU_LLM_BASE_URL", "SIYU_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture
def fake_settings(siyu_home: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings using the deterministic fake embedder (fast, no model load)."""
    monkeypatch.setenv("SIYU_EMBEDDING_PROVIDER", "fake")
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def post_members(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The `members` of every post request drafted during the test, in order (the posts are
    still drafted)."""
    from copilot.drafting import Drafter, DraftResult, PostRequest

    seen: list[list[str]] = []
    original = Drafter.post

    def spy(self: Drafter, request: PostRequest) -> DraftResult:
        seen.append(request.members)
        return original(self, request)

    monkeypatch.setattr(Drafter, "post", spy)
    return seen
