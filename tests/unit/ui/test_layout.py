"""The page head (shortcuts plus the upload guard, with the upload limit, in the page's
language) and the page language of every event handler."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest

from copilot.messages import current_language, language
from copilot.ui.i18n import in_language
from copilot.ui.layout import SHORTCUTS, page_head


@pytest.mark.parametrize(
    ("limit_mb", "expected"),
    [(50.0, "const LIMIT_MB = 50;"), (12.5, "const LIMIT_MB = 12.5;"), (0.5, "= 0.5;")],
)
def test_the_upload_guard_carries_the_limit(limit_mb: float, expected: str) -> None:
    head = page_head(limit_mb, "zh")
    assert head.startswith(SHORTCUTS)
    assert expected in head
    assert "__LIMIT_MB__" not in head and "__TEXT__" not in head


def test_the_upload_guard_speaks_the_page_language() -> None:
    chinese, english = page_head(50, "zh"), page_head(50, "en")
    assert '"too_large": "文件过大,未上传"' in chinese and '"hint": "提示"' in chinese
    assert '"too_large": "too large, not uploaded"' in english and '"hint": "hint"' in english
    assert "文件" not in english and "too large" not in chinese


def test_a_handler_renders_in_its_page_language() -> None:
    def handler(x: int) -> tuple[int, str]:
        return x, current_language()

    with language("zh"):
        assert in_language("en", handler)(1) == (1, "en")
        assert current_language() == "zh"


def test_a_streaming_handler_stays_a_generator_and_every_step_is_in_the_page_language() -> None:
    def handler(n: int) -> Iterator[str]:
        for _ in range(n):
            yield current_language()

    wrapped = in_language("en", handler)
    assert inspect.isgeneratorfunction(wrapped)
    with language("zh"):
        steps = wrapped(3)
        assert [next(steps), current_language(), *steps] == ["en", "zh", "en", "en"]
