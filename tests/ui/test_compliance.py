"""合规 in a real browser: an accepted reply shows in the audit log; CSV export; self-check."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import field, open_tab, screenshot

pytestmark = pytest.mark.integration


def test_accepted_reply_appears_in_the_audit_log(page: Page) -> None:
    field(page, "siyu-message").fill("湿巾下单两包要付运费吗？")
    page.click("#siyu-suggest")
    expect(page.locator("#siyu-cards .siyu-card").first).to_be_visible()
    page.click("#siyu-accept")
    status = page.locator("#siyu-reply-status")
    expect(status).to_contain_text("accepted")
    draft_id = status.inner_text().split("日志:")[1].split("·")[0].strip()

    open_tab(page, "合规")
    field(page, "siyu-audit-text").fill(draft_id)
    page.click("#siyu-audit-browse")
    audit = page.locator("#siyu-audit")
    expect(audit).to_contain_text("human_action")
    expect(audit).to_contain_text("action=accepted")
    expect(audit).to_contain_text("draft_created")

    page.click("#siyu-audit-export")
    expect(page.locator("#siyu-audit-file").get_by_role("link")).to_be_visible()
    page.click("#siyu-selfcheck")
    expect(page.locator("#siyu-selfcheck-report")).to_contain_text("每月合规自查")
    screenshot(page, "compliance")


def test_unknown_customer_gets_a_clear_message(page: Page) -> None:
    open_tab(page, "合规")
    field(page, "siyu-cid").fill("C999999")
    page.click("#siyu-lookup")
    expect(page.locator("#siyu-profile .siyu-error")).to_contain_text("客户不存在")
