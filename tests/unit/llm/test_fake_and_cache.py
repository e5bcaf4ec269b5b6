from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from copilot.drafting.outputs import JudgeOutput
from copilot.errors import BackendError, StoreError
from copilot.llm.backend import ChatPrompt
from copilot.llm.cache import CachedBackend, ResponseCache
from copilot.llm.fake import FakeBackend
from copilot.messages import language

ANSWER = {"passed": True, "score": 1.0, "reason": "好"}


def prompt(user: str = "u", version: str = "1") -> ChatPrompt:
    return ChatPrompt(prompt_id="judge", version=version, hash="h", system="s", user=user)


def test_fake_answers_in_order_and_records_calls() -> None:
    fake = FakeBackend([ANSWER, '```json\n{"passed": false, "score": 0, "reason": "x"}\n```'])
    assert fake.generate(prompt("a"), JudgeOutput).data == ANSWER
    second = fake.generate(prompt("b"), JudgeOutput)
    assert second.data["passed"] is False and second.repaired
    assert [call.user for call in fake.calls] == ["a", "b"]
    with pytest.raises(BackendError) as caught:
        fake.generate(prompt(), JudgeOutput)
    assert caught.value.render("en").startswith("FakeBackend has no queued reply")
    assert caught.value.render("zh").startswith("FakeBackend 没有排队的回复")


def test_fake_raises_queued_errors_and_streams() -> None:
    fake = FakeBackend([BackendError("down"), "一二三四五六七八九十"])
    with pytest.raises(BackendError, match="down"):
        fake.generate(prompt(), JudgeOutput)
    assert "".join(fake.stream(prompt())) == "一二三四五六七八九十"


def test_rerun_with_nothing_changed_makes_no_backend_call(tmp_path: Path) -> None:
    fake = FakeBackend(default=ANSWER)
    backend = CachedBackend(fake, ResponseCache(tmp_path / "c.sqlite"))
    first = backend.generate(prompt(), JudgeOutput)
    again = CachedBackend(fake, ResponseCache(tmp_path / "c.sqlite")).generate(
        prompt(), JudgeOutput
    )
    assert len(fake.calls) == 1
    assert again.data == first.data and again.usage.cached and not first.usage.cached


@pytest.mark.parametrize("changed", [prompt(user="other"), prompt(version="2")])
def test_changed_input_or_version_misses(tmp_path: Path, changed: ChatPrompt) -> None:
    fake = FakeBackend(default=ANSWER)
    backend = CachedBackend(fake, ResponseCache(tmp_path / "c.sqlite"))
    backend.generate(prompt(), JudgeOutput)
    backend.generate(changed, JudgeOutput)
    assert len(fake.calls) == 2


def test_unwritable_cache_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with language("en"), pytest.raises(StoreError, match="cannot open the response cache"):
        ResponseCache(blocker / "c.sqlite")
    with language("zh"), pytest.raises(StoreError, match="无法打开回复缓存"):
        ResponseCache(blocker / "c.sqlite")


def test_the_cache_is_write_ahead_logged_and_stores_without_a_sync_per_answer(
    tmp_path: Path,
) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    CachedBackend(FakeBackend(default=ANSWER), cache).generate(prompt(), JudgeOutput)
    assert cache._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL, not FULL
    with sqlite3.connect(tmp_path / "c.sqlite") as other:  # another process's view
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("SELECT count(*) FROM responses").fetchone()[0] == 1
