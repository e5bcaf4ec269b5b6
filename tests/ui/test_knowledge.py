"""知识库 in a real browser: upload with per-file errors, documents, hybrid search, remove."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import field, open_tab, screenshot

pytestmark = pytest.mark.integration

GOOD = "# 奶瓶消毒器使用说明\n\n奶瓶消毒器每次蒸汽消毒 8 分钟,烘干 40 分钟。消毒后 24 小时内无需再次消毒。\n"


def test_upload_search_and_remove(page: Page, tmp_path: Path) -> None:
    good = tmp_path / "消毒器说明.md"
    good.write_text(GOOD, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    fake_pdf = tmp_path / "setup.pdf"
    fake_pdf.write_bytes(b"MZ\x90\x00" + b"\x00" * 2048)  # a Windows executable renamed to .pdf

    open_tab(page, "知识库")
    page.locator("#siyu-upload input[type=file]").set_input_files([good, empty, fake_pdf])
    page.click("#siyu-ingest")
    report = page.locator("#siyu-kb-status")
    expect(report).to_contain_text("导入结果", timeout=60_000)
    expect(page.locator("body")).to_contain_text("empty.txt")
    expect(page.locator("body")).to_contain_text("setup.pdf")
    expect(page.locator("#siyu-docs")).to_contain_text("uploads/消毒器说明.md")

    field(page, "siyu-kb-query").fill("奶瓶消毒器烘干多久")
    field(page, "siyu-kb-query").press("Enter")
    expect(page.locator("#siyu-hits")).to_contain_text("uploads/消毒器说明.md")
    screenshot(page, "knowledge")

    field(page, "siyu-remove-doc").click()
    page.get_by_role("option", name="uploads/消毒器说明.md").click()
    page.click("#siyu-remove")
    expect(report).to_contain_text("已删除")
    expect(page.locator("#siyu-docs")).not_to_contain_text("消毒器说明.md")


def test_a_100_mb_file_is_refused_by_name_and_the_rest_is_ingested(
    page: Page, tmp_path: Path
) -> None:
    good = tmp_path / "辅食说明.md"
    good.write_text("# 米粉冲调\n\n米粉用温水调成糊状,开罐后 30 天内吃完。\n", encoding="utf-8")
    huge = tmp_path / "门店录像导出.txt"
    with huge.open("wb") as sparse:  # 100 MB without writing 100 MB
        sparse.truncate(100 * 1024 * 1024)

    open_tab(page, "知识库")
    page.locator("#siyu-upload input[type=file]").set_input_files([good, huge])
    note = page.locator("#siyu-too-large")
    expect(note).to_contain_text("门店录像导出.txt(100.0 MB)")
    expect(note).to_contain_text("上限 50 MB")
    expect(note).not_to_contain_text("limit")
    expect(page.locator("#siyu-upload")).to_contain_text("辅食说明")
    page.click("#siyu-ingest")
    expect(page.locator("#siyu-kb-status")).to_contain_text("导入结果", timeout=60_000)
    docs = page.locator("#siyu-docs")
    expect(docs).to_contain_text("uploads/辅食说明.md")
    expect(docs).to_contain_text("knowledge/faq.csv")
    expect(docs).not_to_contain_text("门店录像导出")
    expect(page.locator("body")).not_to_contain_text("Traceback")
    expect(page.locator("body")).not_to_contain_text("exceed the maximum")
