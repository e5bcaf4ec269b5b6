"""客服回复 in a real browser: suggestions with citations, accept/edit/reject, the 话术 loop."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import field, open_tab, screenshot

pytestmark = pytest.mark.integration

RETURN_QUESTION = "你好，我买了一罐1段奶粉，退货运费谁承担呀？"


def suggest(page: Page, message: str) -> None:
    field(page, "siyu-message").fill(message)
    page.click("#siyu-suggest")


def test_suggestion_with_citation_then_accept(page: Page) -> None:
    suggest(page, RETURN_QUESTION)
    card = page.locator("#siyu-cards .siyu-card").first
    expect(card).to_contain_text("模板模式")
    citation = card.locator("details.siyu-cite").first
    expect(citation).to_contain_text("faq")
    citation.locator("summary").click()
    expect(citation.locator("div")).to_be_visible()
    screenshot(page, "reply")
    page.click("#siyu-accept")
    expect(page.locator("#siyu-reply-status")).to_contain_text("accepted")


def test_queue_next_and_keyboard_shortcuts(page: Page) -> None:
    page.keyboard.press("Alt+KeyN")
    message = field(page, "siyu-message")
    expect(message).not_to_have_value("")
    message.focus()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#siyu-cards .siyu-card").first).to_be_visible()
    page.keyboard.press("Alt+KeyA")
    expect(page.locator("#siyu-reply-status")).to_contain_text("accepted")


def test_reject_needs_a_reason(page: Page) -> None:
    suggest(page, "纸尿裤M码有什么活动吗？")
    expect(page.locator("#siyu-cards .siyu-card").first).to_be_visible()
    page.click("#siyu-reject")
    expect(page.locator("#siyu-reply-status")).to_contain_text("原因")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("   ", "客户消息为空"),
        ("退" * 20_000, "20000"),
    ],
)
def test_bad_message_gets_a_clear_error(page: Page, message: str, expected: str) -> None:
    suggest(page, message)
    error = page.locator("#siyu-cards .siyu-error")
    expect(error).to_contain_text(expected)
    expect(error).not_to_contain_text("Traceback")


def test_edited_reply_becomes_an_approved_answer_that_ranks_first(page: Page) -> None:
    question = "奶粉罐子漏粉了，能换一罐吗？"
    answer = "亲，漏粉属于包装质量问题，请拍照并保留批次号，我们为您换新，运费由小禾家承担。"
    suggest(page, question)
    editor = field(page, "siyu-editor")
    expect(editor).not_to_have_value("")
    editor.fill(answer)
    field(page, "siyu-propose").check()
    page.click("#siyu-accept-edit")
    expect(page.locator("#siyu-reply-status")).to_contain_text("edited")
    expect(page.locator("#siyu-reply-status")).to_contain_text("已提交话术审核")

    # The proposal reaches the review list in the same update as the status line above.
    page.locator("#siyu-review").get_by_text("话术审核").click()
    field(page, "siyu-pending").click()
    page.get_by_role("option", name=question[:10], exact=False).first.click()
    page.click("#siyu-approve")
    expect(page.locator("#siyu-review-status")).to_contain_text("话术已通过")

    open_tab(page, "知识库")
    field(page, "siyu-kb-query").fill(question)
    field(page, "siyu-kb-query").press("Enter")
    first_row = page.locator("#siyu-hits table:not([aria-hidden]) tbody tr").first
    expect(first_row).to_contain_text("approved")
