"""看板 in a real browser: the demo month is filled on first start (figures, chart and knowledge
gaps), tables download as CSV, and an empty month says why its chart is empty."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import field, open_tab, screenshot

pytestmark = pytest.mark.integration


def test_demo_month_fills_the_dashboard_and_exports_csv(page: Page) -> None:
    open_tab(page, "看板")
    month = f"{date.today() - timedelta(days=2):%Y-%m}"  # inside the seeded 30 days
    field(page, "siyu-dashboard-month").fill(month)
    page.click("#siyu-dashboard-run")
    summary = page.locator("#siyu-dashboard")
    expect(summary).to_contain_text(month, timeout=20_000)  # the first click loads the embedder
    expect(summary).to_contain_text("NPS")
    expect(summary.locator("#siyu-dashboard-chart svg rect").first).to_be_attached()
    expect(summary).not_to_contain_text("本月没有审计事件")
    gaps = page.locator("#siyu-dashboard-gaps")
    expect(gaps).to_contain_text("知识缺口")
    expect(gaps.locator("li").first).to_contain_text(
        "转人工"
    )  # the demo's gaps got holding replies
    expect(gaps).to_contain_text("发票")  # three demo questions about invoices had no answer
    rows = page.locator("#siyu-dashboard-rows")
    expect(rows).to_contain_text("reply")  # the by-task table
    page.click("#siyu-dashboard-export")
    link = page.locator("#siyu-dashboard-file").get_by_role("link")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("任务,展示,直接采纳")
    assert "reply," in text
    screenshot(page, "dashboard")


def test_empty_month_says_why(page: Page) -> None:
    open_tab(page, "看板")
    field(page, "siyu-dashboard-month").fill("2020-01")
    page.click("#siyu-dashboard-run")
    chart = page.locator("#siyu-dashboard-chart")
    expect(chart).to_contain_text("本月没有审计事件")
    expect(page.locator("#siyu-dashboard-rows")).to_contain_text("（无）")
    expect(page.locator("#siyu-dashboard-rows")).not_to_contain_text("none")
