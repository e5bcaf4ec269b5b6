"""Hostile data and hostile hosts against the real workbench in headless Chromium.

Hostile values go into every field the workbench shows: customers (name, tier, city, tags) and
a consent source through the CSV importer, a knowledge document whose file name, title and
passage carry markup, audit rows, a saved eval baseline whose suite and case names carry
markup, and a community name and topic typed into the page. Then all seven tabs are visited and
the actions that render those values are run; not one script may run.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

from copilot.audit.log import AuditLog, DraftCreated, HumanAction
from copilot.config import Settings
from copilot.customers.importer import Importer
from copilot.evals import CaseResult, RunRecord, RunStore
from copilot.store.engine import Database
from tests.ui.conftest import field, open_tab, screenshot
from tests.unit.ui.hostile import EVERYTHING, IMG, SVG

pytestmark = pytest.mark.integration

CUSTOMER = "C990001"
# Gradio's upload drops < and > from file names; the rest of the name stays.
STORED = "uploads/xss-img src=x onerror=window.__xss=1.md"
TOPIC = "琉璃果冻杯"
DOCUMENT = f"# {IMG} {TOPIC}清洗说明\n\n{TOPIC}用温水和中性洗洁精清洗,不可进洗碗机。{EVERYTHING}\n"
# What the page may contain after every action: none of these elements or attributes.
INJECTED = """() => [
  ...document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onmouseover]'),
  ...document.querySelectorAll('a[href^="javascript:"], img[src^="javascript:"]'),
  ...[...document.scripts].filter((s) => s.textContent.includes("__xss")),
].length"""


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def plant_hostile_data(home: Path, folder: Path) -> None:
    """Customers, a consent and audit rows in the app's database; an eval baseline on disk."""
    settings = Settings(home=home)
    db = Database(settings.db_url)
    purpose = sorted(settings.guardrails.purpose_fields)[0]
    customers = write_csv(
        folder / "customers.csv",
        [{"id": CUSTOMER, "name": IMG, "tier": SVG, "city": EVERYTHING, "tags": IMG}],
    )
    consents = write_csv(
        folder / "consents.csv",
        [
            {
                "customer_id": CUSTOMER,
                "purpose": purpose,
                "action": "granted",
                "at": "2026-01-02 10:00",
                "source": EVERYTHING,
            }
        ],
    )
    report = Importer(db, purposes=settings.guardrails.purpose_fields).run(
        [customers, consents], dry_run=False, errors_path=folder / "errors.csv"
    )
    assert not report.problems, report.problems
    audit = AuditLog(db)
    audit.record(
        DraftCreated(
            draft_id=f"xss-{IMG}", task="reply", sources=[IMG], verdict="warn", text=EVERYTHING
        ),
        actor=IMG,
    )
    audit.record(HumanAction(draft_id="xss-2", action="rejected", reason=EVERYTHING), actor=SVG)
    baseline = RunRecord(
        run_id=f"xss-{IMG}",
        started_at=datetime(2026, 1, 1),
        backend=IMG,
        model=IMG,
        cases=[CaseResult(suite=IMG, case_id=EVERYTHING, task="reply", status="pass")],
    )
    RunStore(home / "evals").save_baseline(baseline)


def test_hostile_values_render_as_text_in_every_tab(
    page: Page, app_home: Path, tmp_path: Path
) -> None:
    plant_hostile_data(app_home, tmp_path)
    dialogs: list[str] = []
    hits: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if "xss" in message.text:
            hits.append(message.text)

    page.on("dialog", on_dialog)
    page.on("console", on_console)

    def assert_no_script_ran(where: str) -> None:
        assert page.evaluate("() => window.__xss") is None, f"script ran in {where}"
        assert page.evaluate(INJECTED) == 0, f"markup injected in {where}"
        assert dialogs == [] and hits == [], where

    # 知识库: upload, documents list, search.
    document = tmp_path / f"xss-{IMG}.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    open_tab(page, "知识库")
    page.locator("#siyu-upload input[type=file]").set_input_files([document])
    page.click("#siyu-ingest")
    expect(page.locator("#siyu-kb-status")).to_contain_text("导入结果", timeout=60_000)
    expect(page.locator("#siyu-docs")).to_contain_text(STORED)
    field(page, "siyu-kb-query").fill(f"{TOPIC}怎么清洗")
    field(page, "siyu-kb-query").press("Enter")
    expect(page.locator("#siyu-hits")).to_contain_text(IMG)
    assert_no_script_ran("知识库")

    # 客服回复: the document is cited (file name and passage in the card).
    open_tab(page, "客服回复")
    field(page, "siyu-message").fill(f"{TOPIC}怎么清洗?能进洗碗机吗")
    page.click("#siyu-suggest")
    cards = page.locator("#siyu-cards")
    expect(cards.locator(".siyu-card").first).to_be_visible(timeout=30_000)
    for summary in cards.locator("details.siyu-cite summary").all():
        summary.click()
    expect(cards).to_contain_text(IMG)
    assert_no_script_ran("客服回复")

    # 社群内容: a community name and topic typed in.
    open_tab(page, "社群内容")
    field(page, "siyu-community").fill(f"社群{IMG}")
    field(page, "siyu-community").press("Enter")
    field(page, "siyu-topic").fill(IMG)
    page.click("#siyu-draft-post")
    expect(page.locator("#siyu-post-card").locator(".siyu-card, .siyu-error").first).to_be_visible(
        timeout=30_000
    )
    assert_no_script_ran("社群内容")

    # 私聊触达: a preview renders sample drafts of imported customers.
    open_tab(page, "私聊触达")
    page.click("#siyu-preview")
    plan = page.locator("#siyu-plan").locator(".siyu-ok, .siyu-error").first
    expect(plan).to_be_visible(timeout=60_000)
    assert_no_script_ran("私聊触达")

    # 评测: the saved baseline's suite and case names show in the diff.
    open_tab(page, "评测")
    field(page, "siyu-baseline").click()
    page.get_by_role("option", name="已保存的基线").click()
    page.click("#siyu-run-evals")
    summary = page.locator("#siyu-eval-summary")
    expect(summary).to_contain_text("移除用例", timeout=120_000)
    expect(summary).to_contain_text(IMG)
    assert_no_script_ran("评测")

    # 合规: consent lookup, audit browser, self-check.
    open_tab(page, "合规")
    field(page, "siyu-cid").fill(CUSTOMER)
    page.click("#siyu-lookup")
    expect(page.locator("#siyu-profile")).to_contain_text(f"{CUSTOMER} · {IMG} · {SVG}")
    field(page, "siyu-audit-text").fill("xss")
    page.click("#siyu-audit-browse")
    expect(page.locator("#siyu-audit")).to_contain_text(IMG)
    page.click("#siyu-selfcheck")
    expect(page.locator("#siyu-selfcheck-report")).to_contain_text("每月合规自查")
    screenshot(page, "hostile-data")
    assert_no_script_ran("合规")

    # 看板: this month's report, whose agents and sources include the hostile audit rows.
    open_tab(page, "看板")
    page.click("#siyu-dashboard-run")
    expect(page.locator("#siyu-dashboard")).to_contain_text(f"{datetime.now():%Y-%m}")
    field(page, "siyu-dashboard-table").click()
    page.get_by_role("option", name="按坐席").click()
    expect(page.locator("#siyu-dashboard-rows")).to_contain_text(IMG)
    assert_no_script_ran("看板")

    # Leave the knowledge base as the other tests expect it.
    open_tab(page, "知识库")
    field(page, "siyu-remove-doc").click()
    page.get_by_role("option", name=STORED).click()
    page.click("#siyu-remove")
    expect(page.locator("#siyu-docs")).not_to_contain_text("xss-")
    assert_no_script_ran("知识库 remove")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/config"), ("GET", "/gradio_api/info"), ("GET", "/healthz")],
)
def test_a_rebound_host_name_is_refused(app_url: str, method: str, path: str) -> None:
    rebound = httpx.request(method, app_url + path, headers={"Host": "rebind.attacker.example"})
    assert rebound.status_code == 400
    assert "SIYU_UI_ALLOWED_HOSTS" in rebound.text
    local = httpx.request(method, app_url + path, headers={"Host": "localhost:7860"})
    assert local.status_code == 200


def test_a_rebound_host_cannot_call_the_search_endpoint(app_url: str) -> None:
    call = httpx.post(
        app_url + "/gradio_api/call/search",
        json={"data": ["退货运费", [], 5]},
        headers={"Host": "rebind.attacker.example"},
    )
    assert call.status_code == 400
    assert "faq" not in call.text
