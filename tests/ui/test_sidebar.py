"""The WeCom chat-toolbar page in headless Chromium at 360×640 against the real server: paste a
message, read the suggestions with their sources, insert one into the chat through WeCom's JS-SDK
(the loopback stand-in, which checks the server's wx.agentConfig signature as WeCom does), reject
another with a reason, and check what the audit log recorded; outside WeCom, or when WeCom
refuses the signature, 插入 copies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from copilot.audit.log import AuditLog, HumanAction
from copilot.config import Settings
from copilot.store.engine import Database
from tests.integration.wecom_fake import WecomState
from tests.ui.conftest import screenshot
from tests.unit.ui.hostile import IMG

pytestmark = pytest.mark.integration

# WeCom's desktop client names itself in the user agent; the page loads the JS-SDK only there.
WECOM_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh"
)
INJECTED = """() => [...document.querySelectorAll('img, [onerror]')].length
  + (window.__xss ? 1 : 0)"""
SEND = "sendChatMessage"


def open_sidebar(browser: Browser, url: str, *, in_wecom: bool = False) -> Page:
    context = browser.new_context(
        viewport={"width": 360, "height": 640},
        locale="zh-CN",
        user_agent=WECOM_UA if in_wecom else None,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(url)
    return page


@pytest.fixture
def sidebar(browser: Browser, app_url: str) -> Iterator[Page]:
    page = open_sidebar(browser, app_url + "/wecom/sidebar", in_wecom=True)
    yield page
    page.context.close()


def human_actions(home: Path, draft_id: str) -> list[HumanAction]:
    db = Database(Settings(home=home).db_url)
    try:
        events = AuditLog(db).events(subject=draft_id)
        return [r.event for r in events if isinstance(r.event, HumanAction)]
    finally:
        db.dispose()


def suggest(page: Page, message: str) -> None:
    page.locator("#message").fill(message)
    page.get_by_role("button", name="生成建议回复").click()
    expect(page.locator("#status")).to_contain_text("条建议")


def test_paste_insert_and_reject_are_recorded(sidebar: Page, app_home: Path) -> None:
    suggest(sidebar, "退货运费谁出?")
    cards = sidebar.locator("li.card")
    assert cards.count() >= 2
    first = cards.nth(0)
    expect(first.locator(".sources summary")).not_to_contain_text("(0)")
    first.locator(".sources summary").click()
    expect(first.locator(".sources li").first).to_contain_text("knowledge/faq.csv")
    assert sidebar.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(sidebar, "sidebar-360")

    text = first.locator("textarea.draft-text").input_value()
    first.get_by_role("button", name="插入").click()
    expect(first.locator(".card-status")).to_have_text("已插入聊天,已记录为采纳。")
    calls = sidebar.evaluate("window.wx.calls")
    assert calls == [[SEND, {"msgtype": "text", "enterChat": True, "text": {"content": text}}]]
    (accepted,) = human_actions(app_home, first.get_attribute("data-draft-id") or "")
    assert accepted.action == "accepted"

    second = cards.nth(1)
    second.get_by_role("button", name="不采纳").click()
    second.get_by_role("button", name="确认不采纳").click()
    expect(second.locator(".card-status")).to_have_text("请写明原因。")
    second.get_by_role("textbox", name="不采纳的原因").fill("语气太生硬")
    second.get_by_role("button", name="确认不采纳").click()
    expect(second.locator(".card-status")).to_have_text("已记录为不采纳。")
    (rejected,) = human_actions(app_home, second.get_attribute("data-draft-id") or "")
    assert (rejected.action, rejected.reason) == ("rejected", "语气太生硬")


def test_markup_from_the_customer_and_the_queue_renders_as_text(sidebar: Page) -> None:
    queue = {
        "items": [
            {
                "id": 7,
                "status": "drafted",
                "customer": "c0ffee",
                "open_kfid": "wk1",
                "message": f"{IMG} 能退货吗",
                "received_at": "2026-01-01T00:00:00",
                "suggestions": [],
            }
        ],
        "next_after": None,
    }
    sidebar.route(
        "**/v1/queue*",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(queue)
        ),
    )
    sidebar.reload()
    expect(sidebar.locator("#queue-panel")).to_be_visible()
    sidebar.locator("#queue").select_option("7")
    expect(sidebar.locator("#message")).to_have_value(f"{IMG} 能退货吗")
    expect(sidebar.locator("#status")).to_contain_text("条建议")
    assert f"#7 {IMG} 能退货吗" in sidebar.locator("#queue option").all_text_contents()
    assert sidebar.evaluate(INJECTED) == 0


def test_a_blocked_draft_is_marked_with_its_finding_and_cannot_be_inserted(sidebar: Page) -> None:
    finding = {"rule": "absolute_claim", "severity": "block", "start": 0, "end": 4,
               "text": "绝对有效", "message": f"绝对化用语 {IMG}", "fix": "改为「多数顾客反馈有效」"}  # fmt: skip
    verdict = {"verdict": "block", "findings": [finding]}
    drafts = {"drafts": [{"text": "绝对有效!", "citations": [], "verdict": verdict}],
              "draft_ids": ["reply-blocked-1"]}  # fmt: skip
    sidebar.route(
        "**/v1/replies",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(drafts)
        ),
    )
    suggest(sidebar, "这个有效吗")
    card = sidebar.locator("li.card")
    expect(card).to_have_class("card verdict-block")
    expect(card.locator(".badge")).to_have_text("已拦截")
    expect(card.locator(".blocked-note")).to_contain_text("不能直接发送")
    expect(card.locator(".findings li")).to_contain_text(f"绝对化用语 {IMG}")
    expect(card.locator(".findings .fix")).to_have_text("修改建议:改为「多数顾客反馈有效」")
    expect(card.get_by_role("button", name="插入")).to_be_disabled()
    assert sidebar.evaluate(INJECTED) == 0


def test_a_message_picked_from_the_queue_is_sent_through_the_connector(sidebar: Page) -> None:
    suggestion = {"draft_id": "reply-q-1", "text": "您好,可以退货。", "verdict": "pass",
                  "needs_human": False, "sources": ["knowledge/faq.csv"]}  # fmt: skip
    item = {"id": 9, "status": "drafted", "customer": "c0ffee", "open_kfid": "wk1",
            "message": "能退货吗", "received_at": "2026-01-01T00:00:00",
            "suggestions": [suggestion]}  # fmt: skip
    approvals: list[object] = []

    def queue(route: Route) -> None:
        if route.request.method == "POST":
            approvals.append(route.request.post_data_json)
            body = {**item, "status": "sent", "approved_text": "您好,可以退货,运费我们出。"}
        else:
            body = {"items": [] if approvals else [item], "next_after": None}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    sidebar.route("**/v1/queue**", queue)
    sidebar.reload()
    sidebar.locator("#queue").select_option("9")
    card = sidebar.locator("li.card")
    expect(card.locator(".sources summary")).to_have_text("来源 (1)")
    card.locator("textarea.draft-text").fill("您好,可以退货,运费我们出。")
    card.get_by_role("button", name="发送给客户").click()
    expect(card.locator(".card-status")).to_have_text("已通过微信客服发送给客户。")
    assert approvals == [{"text": "您好,可以退货,运费我们出。", "draft_id": "reply-q-1"}]
    assert sidebar.evaluate("window.wx.calls") == []  # not put into the open chat
    expect(sidebar.locator("#queue option")).to_have_text(["暂无待处理消息"])


def test_outside_wecom_insert_copies_and_no_wecom_script_is_loaded(
    browser: Browser, app_url: str, wecom_api: tuple[str, WecomState]
) -> None:
    before = wecom_api[1].calls.count("/jssdk.js")
    page = open_sidebar(browser, app_url + "/wecom/sidebar")
    try:
        suggest(page, "奶粉保质期多久")
        first = page.locator("li.card").nth(0)
        text = first.locator("textarea.draft-text").input_value()
        first.get_by_role("button", name="插入").click()
        expect(first.locator(".card-status")).to_have_text("已复制,请粘贴到聊天中;已记录为采纳。")
        assert page.evaluate("navigator.clipboard.readText()") == text
        assert page.evaluate("typeof window.wx") == "undefined"
        assert wecom_api[1].calls.count("/jssdk.js") == before
    finally:
        page.context.close()


def test_when_wecom_refuses_the_signature_the_agent_is_told_and_insert_copies(
    browser: Browser, app_url: str, wecom_api: tuple[str, WecomState]
) -> None:
    """The server signed with a ticket WeCom no longer accepts (rotated since it was cached)."""
    state = wecom_api[1]
    ticket = state.ticket
    signed = httpx.get(app_url + "/v1/wecom/agent-config", params={"url": app_url + "/x"})
    assert signed.status_code == 200, signed.text  # the server now holds this ticket
    state.rotate_ticket()
    page = open_sidebar(browser, app_url + "/wecom/sidebar", in_wecom=True)
    try:
        expect(page.locator("#status")).to_contain_text("无法直接插入聊天,插入将改为复制")
        suggest(page, "退货运费谁出?")
        first = page.locator("li.card").nth(0)
        first.get_by_role("button", name="插入").click()
        expect(first.locator(".card-status")).to_have_text("已复制,请粘贴到聊天中;已记录为采纳。")
        assert page.evaluate("window.wx.calls") == []  # never asked WeCom to send unsigned
    finally:
        state.ticket = ticket
        page.context.close()


def test_english_page_and_security_headers(browser: Browser, app_url: str) -> None:
    page = open_sidebar(browser, app_url + "/wecom/sidebar?lang=en")
    try:
        expect(page.get_by_role("button", name="Suggest replies")).to_be_visible()
        expect(page.locator("#queue-panel")).to_be_hidden()  # no WeCom connector configured
        assert page.evaluate("document.documentElement.lang") == "en"
    finally:
        page.context.close()
    response = httpx.get(app_url + "/wecom/sidebar")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    script = httpx.get(app_url + "/wecom/sidebar/sidebar.js")
    assert script.headers["content-type"].startswith("text/javascript")


def test_a_key_is_asked_for_once_and_kept(browser: Browser, app_url: str) -> None:
    """As behind a server that requires keys: the API answers 401 key_required until the page
    sends the key the agent typed; the key is kept for the next visit."""
    page = open_sidebar(browser, app_url + "/wecom/sidebar")
    seen: list[str] = []

    def keyed(route: Route) -> None:
        given = route.request.headers.get("authorization", "")
        seen.append(given)
        if given != "Bearer sk-test":
            problem = {"title": "需要 API 密钥", "status": 401, "code": "key_required"}
            route.fulfill(status=401, content_type="application/problem+json",
                          body=json.dumps(problem))  # fmt: skip
        else:
            route.continue_(headers={k: v for k, v in route.request.headers.items()
                                     if k != "authorization"})  # fmt: skip

    try:
        page.route("**/v1/**", keyed)
        page.reload()
        expect(page.locator("#key-form")).to_be_visible()
        page.get_by_label("API 密钥").fill("sk-test")
        page.get_by_role("button", name="保存密钥").click()
        expect(page.locator("#key-form")).to_be_hidden()
        suggest(page, "退货运费谁出?")
        assert seen[-1] == "Bearer sk-test"
        page.reload()
        expect(page.locator("#key-form")).to_be_hidden()
        assert page.evaluate("localStorage.getItem('siyu.sidebar.key')") == "sk-test"
    finally:
        page.context.close()
