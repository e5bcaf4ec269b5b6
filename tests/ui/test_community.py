"""社群内容 in a real browser, on the seeded demo week: a promo into the community at the 30%
cap is blocked with the explanation and the tips alternative, and the tips post is scheduled;
a promo into the community with room passes and is scheduled."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import field, open_tab, screenshot

pytestmark = pytest.mark.integration

AT_CAP = "小禾家妈妈交流1群"
WITH_ROOM = "小禾家新手爸妈2群"
PROMO_BRIEF = "会员日纸尿裤第二件半价,活动时间 6月1日–6月3日"


def pick_community(page: Page, name: str, share: str) -> None:
    open_tab(page, "社群内容")
    field(page, "siyu-community").click()
    page.get_by_role("option", name=name).click()
    expect(page.locator("#siyu-share")).to_have_text(share)


def draft_promo(page: Page) -> None:
    page.locator("#siyu-post-type").get_by_label("促销").check()
    field(page, "siyu-topic").fill("M码纸尿裤")
    field(page, "siyu-brief").fill(PROMO_BRIEF)
    page.click("#siyu-draft-post")


def test_promo_at_the_cap_is_blocked_then_tips_post_is_scheduled(page: Page) -> None:
    pick_community(page, AT_CAP, "30%")
    posts = page.locator("#siyu-calendar .siyu-finding")
    expect(posts).to_have_count(10)
    draft_promo(page)
    card = page.locator("#siyu-post-card")
    expect(card.locator(".siyu-block").first).to_be_visible()
    expect(card).to_contain_text("当前 30%,发布后将达 36%,超过 30% 上限")
    expect(card).to_contain_text("干货")

    page.click("#siyu-schedule")
    expect(page.locator("#siyu-post-status .siyu-error")).to_contain_text("不能排期")
    expect(posts).to_have_count(10)

    page.click("#siyu-as-tips")
    # Tips titles rotate by day (prompts/template/zh.yaml); each names the post as 干货.
    expect(card).to_contain_text(re.compile(r"【(干货分享|育儿干货)"))
    expect(card.locator(".siyu-pass").first).to_be_visible()
    page.click("#siyu-schedule")
    expect(page.locator("#siyu-post-status")).to_contain_text("已排期")
    expect(posts).to_have_count(11)
    expect(posts.filter(has_text="干货知识")).to_have_count(4)
    screenshot(page, "community")


def test_promo_in_a_community_with_room_passes_and_is_scheduled(page: Page) -> None:
    pick_community(page, WITH_ROOM, "20%")
    draft_promo(page)
    card = page.locator("#siyu-post-card")
    expect(card.locator(".siyu-pass").first).to_be_visible()
    expect(card).to_contain_text("第二件半价")
    expect(page.locator("#siyu-as-tips")).to_be_hidden()
    page.click("#siyu-schedule")
    expect(page.locator("#siyu-post-status")).to_contain_text(f"已排期:{WITH_ROOM}")
    promos = page.locator("#siyu-calendar .siyu-finding:has(.siyu-mk)")
    expect(promos).to_have_count(3)
