"""私聊触达 in a real browser: preview, a withdrawal shrinks the audience, run and download;
a browser closed mid-campaign and a double click (plus a second tab) each leave one complete
run, checked against the database."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.conftest import field, open_tab, open_workbench, screenshot

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


class CampaignRecord(NamedTuple):
    audience: int
    results: int
    customers: int
    drafted: int
    draft_events: int
    runs: int


def record(home: Path, campaign_id: str) -> CampaignRecord | None:
    """What the database holds for a campaign (None before its first run starts)."""
    with closing(sqlite3.connect(f"file:{home / 'siyu.db'}?mode=ro", uri=True)) as db:
        found = db.execute("SELECT audience FROM campaigns WHERE id = ?", (campaign_id,)).fetchone()
        if found is None:
            return None
        results, customers, drafted = db.execute(
            "SELECT count(*), count(DISTINCT customer_id), coalesce(sum(status = 'drafted'), 0) "
            "FROM campaign_results WHERE campaign_id = ?",
            (campaign_id,),
        ).fetchone()
        draft_events, runs = db.execute(
            "SELECT coalesce(sum(kind = 'draft_created' AND subject LIKE ?), 0), "
            "coalesce(sum(kind = 'campaign_run' AND subject = ?), 0) FROM audit_events",
            (f"{campaign_id}:%", campaign_id),
        ).fetchone()
    audience = len(json.loads(found[0]))
    return CampaignRecord(audience, results, customers, drafted, draft_events, runs)


def wait_for_record(
    home: Path, campaign_id: str, done: Callable[[CampaignRecord], bool]
) -> CampaignRecord:
    """Poll the database until the campaign's record satisfies `done` (the server's own work)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = record(home, campaign_id)
        if found is not None and done(found):
            return found
        time.sleep(0.05)
    pytest.fail(f"campaign {campaign_id}: {record(home, campaign_id)} never satisfied the check")


def choose(page: Page, playbook: str, campaign_id: str) -> None:
    """Pick the playbook (by label, e.g. 会员日(member_day)) and name the campaign."""
    open_tab(page, "私聊触达")
    field(page, "siyu-playbook").click()
    page.get_by_role("option", name=playbook).click()
    playbook_id = playbook.split("(")[-1].rstrip(")")
    expect(field(page, "siyu-campaign")).to_have_value(re.compile(f"^{playbook_id}-"))
    field(page, "siyu-campaign").fill(campaign_id)


def assert_complete_once(found: CampaignRecord) -> None:
    assert found.results == found.customers == found.audience > 0
    assert found.draft_events == found.drafted  # nobody drafted twice


def test_closing_the_browser_mid_campaign_loses_nothing(
    browser: Browser, app_url: str, app_home: Path
) -> None:
    campaign_id = "member-day-browser-closed"
    first = open_workbench(browser, app_url + "/")
    choose(first, "会员日(member_day)", campaign_id)
    first.click("#siyu-run")
    started = wait_for_record(app_home, campaign_id, lambda r: True)
    first.context.close()
    assert started.results < started.audience  # closed mid-run

    finished = wait_for_record(app_home, campaign_id, lambda r: r.runs == 1)  # went on alone
    assert_complete_once(finished)

    again = open_workbench(browser, app_url + "/")
    choose(again, "会员日(member_day)", campaign_id)
    again.click("#siyu-run")
    status = again.locator("#siyu-run-status")
    expect(status).to_contain_text("活动已完成", timeout=60_000)
    expect(status).to_contain_text(f"受众 {finished.audience}")
    expect(status).not_to_contain_text("Traceback")
    assert_complete_once(wait_for_record(app_home, campaign_id, lambda r: r.runs == 2))
    again.context.close()


def test_double_click_and_a_second_tab_run_the_campaign_once(
    browser: Browser, app_url: str, app_home: Path
) -> None:
    campaign_id = "dormant-double-click"  # another audience: member day's got its one message
    first, second = (open_workbench(browser, app_url + "/") for _ in range(2))
    for page in (first, second):
        choose(page, "沉睡唤醒(dormant)", campaign_id)
    first.dblclick("#siyu-run")
    wait_for_record(app_home, campaign_id, lambda r: True)
    second.click("#siyu-run")
    for page in (first, second):
        expect(page.locator("#siyu-run-status")).to_contain_text("活动已完成", timeout=60_000)
    expect(second.locator("#siyu-run-status")).to_contain_text("已在运行")
    found = record(app_home, campaign_id)
    assert found is not None and found.runs == 1
    assert_complete_once(found)
    for page in (first, second):
        page.context.close()
