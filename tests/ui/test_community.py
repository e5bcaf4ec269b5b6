"""社群内容 in a real browser: a promo over the cap is blocked with the explanation and the
tips alternative; the tips post is scheduled into the week calendar."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import field, open_tab, screenshot

pytestmark = pytest.mark.integration


def test_promo_over_the_cap_is_blocked_then_tips_post_is_scheduled(page: Page) -> None:
    open_tab(page, "社群内容")
    field(page, "siyu-community").fill("浏览器测试群")
    field(page, "siyu-community").press("Enter")
    page.locator("#siyu-post-type").get_by_label("促销").check()
    field(page, "siyu-topic").fill("M码纸尿裤")
    field(page, "siyu-brief").fill("会员日纸尿裤第二件半价,活动时间 6月1日–6月3日")
    page.click("#siyu-draft-post")
    card = page.locator("#siyu-post-card")
    expect(card.locator(".siyu-block").first).to_be_visible()
    expect(card).to_contain_text("30% 上限")
    expect(card).to_contain_text("干货")

    page.click("#siyu-schedule")
    expect(page.locator("#siyu-post-status .siyu-error")).to_contain_text("不能排期")

    page.click("#siyu-as-tips")
    expect(card).to_contain_text("干货分享")
    expect(card.locator(".siyu-pass").first).to_be_visible()
    page.click("#siyu-schedule")
    expect(page.locator("#siyu-post-status")).to_contain_text("已排期")
    expect(page.locator("#siyu-calendar")).to_contain_text("干货知识")
    screenshot(page, "community")
