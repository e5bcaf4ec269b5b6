"""私聊触达 in a real browser: preview, a withdrawal shrinks the audience, run and download."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import field, open_tab, screenshot

pytestmark = pytest.mark.integration


def preview(page: Page) -> tuple[int, list[str]]:
    open_tab(page, "私聊触达")
    field(page, "siyu-playbook").click()
    page.get_by_role("option", name="生日祝福(birthday)").click()
    page.click("#siyu-preview")
    count = page.locator("#siyu-eligible-count")
    expect(count).to_have_text(re.compile(r"\d+"))
    return int(count.inner_text()), page.locator("#siyu-eligible").inner_text().split()


def test_withdrawal_shrinks_the_audience_then_run(page: Page) -> None:
    before, eligible = preview(page)
    assert before > 0 and eligible
    expect(page.locator("#siyu-samples .siyu-card").first).to_contain_text("使用的字段")
    screenshot(page, "outreach")

    open_tab(page, "合规")
    field(page, "siyu-cid").fill(eligible[0])
    field(page, "siyu-purpose").click()
    page.get_by_role("option", name="birthday_greeting").click()
    page.click("#siyu-withdraw")
    expect(page.locator("#siyu-profile")).to_contain_text("已登记撤回")

    open_tab(page, "私聊触达")
    page.click("#siyu-preview")
    after = before - 1
    expect(page.locator("#siyu-eligible-count")).to_have_text(str(after))
    expect(page.locator("#siyu-eligible")).not_to_contain_text(eligible[0])

    field(page, "siyu-campaign").fill("birthday-browser-test")
    page.click("#siyu-run")
    status = page.locator("#siyu-run-status")
    expect(status).to_contain_text("活动已完成", timeout=60_000)
    expect(status).to_contain_text(f"受众 {after}")
    result = page.locator("#siyu-run-file")
    expect(result.get_by_role("cell", name="birthday-browser-test.csv")).to_be_visible()
    csv_text = page.request.get(result.get_by_role("link").get_attribute("href") or "").text()
    assert len(csv_text.strip().splitlines()) == after + 1  # header + one row per customer
