"""评测 in a real browser: run a suite, see the pass rate, then the diff against the last run."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import open_tab, screenshot

pytestmark = pytest.mark.integration


def test_run_suite_then_compare_with_last_run(page: Page) -> None:
    open_tab(page, "评测")
    summary = page.locator("#siyu-eval-summary")
    page.click("#siyu-run-evals")
    expect(summary).to_contain_text("通过率", timeout=120_000)
    expect(summary).to_contain_text("community-posts")
    expect(page.locator("#siyu-eval-report").get_by_role("link")).to_be_visible()
    page.click("#siyu-run-evals")
    expect(summary).to_contain_text("对比基线", timeout=120_000)
    screenshot(page, "evals")
