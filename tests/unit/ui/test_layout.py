"""The page head: shortcuts plus the upload guard, carrying the configured upload limit."""

from __future__ import annotations

import pytest

from copilot.ui.layout import SHORTCUTS, page_head


@pytest.mark.parametrize(
    ("limit_mb", "expected"),
    [(50.0, "const LIMIT_MB = 50;"), (12.5, "const LIMIT_MB = 12.5;"), (0.5, "= 0.5;")],
)
def test_the_upload_guard_carries_the_limit(limit_mb: float, expected: str) -> None:
    head = page_head(limit_mb)
    assert head.startswith(SHORTCUTS)
    assert expected in head
    assert "__LIMIT_MB__" not in head
