"""The English page (/en/) in a real browser: every tab speaks English, and an English
question gets an English reply that cites the English knowledge base."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.conftest import field, open_tab, open_workbench

pytestmark = pytest.mark.integration

TABS = [
    ("Customer service", ["Suggest replies", "Customer message", "Accept edited"]),
    ("Community posts", ["Marketing share, last 7 days", "Draft the post", "Mon", "quiet hours"]),
    ("1:1 outreach", ["Preview audience and samples", "Run (resumable)"]),
    ("Knowledge base", ["Ingest", "Documents and chunks", "Remove document"]),
    ("Evals", ["Run evals", "Suites"]),
    ("Compliance", ["Consent registry", "Record withdrawal", "Monthly self-check"]),
]


@pytest.fixture
def english(browser: Browser, app_url: str) -> Iterator[Page]:
    page = open_workbench(browser, app_url + "/en/")
    yield page
    page.context.close()


def test_every_tab_has_english_labels(english: Page) -> None:
    expect(english.locator("#siyu-lang")).to_have_text("中文")
    for tab, labels in TABS:
        open_tab(english, tab)
        panel = english.get_by_role("tabpanel")
        for label in labels:
            expect(panel).to_contain_text(label)
    expect(english.locator("body")).not_to_contain_text("生成建议")


def test_an_english_question_gets_a_cited_english_reply(english: Page) -> None:
    field(english, "siyu-message").fill("Who pays return shipping?")
    english.click("#siyu-suggest")
    card = english.locator("#siyu-cards .siyu-card").first
    expect(card).to_contain_text("return")
    citation = card.locator("details.siyu-cite").first
    expect(citation).to_contain_text("knowledge/en/")
    expect(card).to_contain_text("Sources")
    english.click("#siyu-accept")
    expect(english.locator("#siyu-reply-status")).to_contain_text("accepted")


def test_an_error_on_the_english_page_is_english_only(english: Page) -> None:
    field(english, "siyu-message").fill("   ")
    english.click("#siyu-suggest")
    error = english.locator("#siyu-cards .siyu-error")
    expect(error).to_contain_text("message: the customer message is empty")
    expect(error).to_contain_text("hint: paste the customer's words and retry")
    expect(error).not_to_contain_text("客户")
    expect(error).not_to_contain_text("提示")
