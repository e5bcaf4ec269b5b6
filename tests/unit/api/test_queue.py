"""/v1/queue over a WeCom connector whose WeCom client is a stub (nothing leaves the machine)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from copilot.access.keys import KeyRing
from copilot.api.routes import build_api
from copilot.app import Copilot
from copilot.audit.log import HumanAction
from copilot.config import Settings
from copilot.drafting import Citation, Draft, DraftResult, PromptRef
from copilot.errors import BackendError
from copilot.guardrails.models import Verdict
from copilot.wecom import QueueItem, WecomConnector
from copilot.wecom.models import KfMessage, KfText

PHONE = "13812345678"
CUSTOMER = "wmSecretCustomerId"
WECOM = {
    "corp_id": "ww-test",
    "secret": "kf-secret",
    "token": "callbackToken",
    "aes_key": base64.b64encode(bytes(range(32))).decode().rstrip("="),
}


class StubClient:
    """Records what would be sent; fails when told to."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, str]] = []
        self.failing = False

    def send_text(self, touser: str, open_kfid: str, content: str, msgid: str) -> int:
        if self.failing:
            raise BackendError("kf/send_msg errcode 95001")
        self.sent.append((touser, open_kfid, content, msgid))
        return 1

    def close(self) -> None:
        pass


def canned(text: str) -> DraftResult:
    verdict = Verdict(verdict="pass")
    cite = Citation(id="S1", source="faq.md", quote="七天无理由退货")
    drafts = [
        Draft(text=f"您好,{n}号建议:支持七天无理由退货。", citations=[cite], verdict=verdict)
        for n in (1, 2)
    ]
    return DraftResult(
        task="reply",
        drafts=drafts,
        backend="模板模式",
        prompt=PromptRef(id="reply", version="1", hash="0", language="zh"),
        verdict=verdict,
        customer_message=text,
    )


@pytest.fixture
def stub() -> StubClient:
    return StubClient()


@pytest.fixture
def app(tmp_path: Path, stub: StubClient) -> Iterator[Copilot]:
    settings = Settings(
        home=tmp_path, embedding={"provider": "fake"}, api={"burst": 1000}, wecom=WECOM
    )
    copilot = Copilot.from_settings(settings)
    connector = WecomConnector(
        settings.wecom,
        copilot.db,
        copilot.audit,
        canned,
        client=stub,  # type: ignore[arg-type]
    )
    copilot.__dict__["wecom"] = connector  # the cached property, with the stub client
    yield copilot
    connector.close()
    copilot.db.dispose()


@pytest.fixture
def api(app: Copilot) -> TestClient:
    return TestClient(build_api(app, require_keys=False))


def received(app: Copilot, *texts: str) -> list[QueueItem]:
    """Customer messages arrive and are drafted."""
    messages = [
        KfMessage(
            msgid=f"m-{text}",
            open_kfid="wkShop",
            external_userid=CUSTOMER,
            origin=3,
            msgtype="text",
            text=KfText(content=text),
        )
        for text in texts
    ]
    items = app.wecom.queue.add(messages)
    for item in items:
        app.wecom.submit(item).result()
    return [app.wecom.queue.get(item.id) for item in items]


def actions(app: Copilot, draft_id: str) -> list[HumanAction]:
    return [r.event for r in app.audit.events(subject=draft_id) if isinstance(r.event, HumanAction)]


def test_the_queue_shows_redacted_messages_with_suggestions_and_pages(
    app: Copilot, api: TestClient
) -> None:
    received(app, f"能退货吗?我电话 {PHONE}", "第二条", "第三条")
    first = api.get("/queue", params={"limit": 2})
    assert first.status_code == 200, first.text
    body = first.json()
    assert [i["status"] for i in body["items"]] == ["drafted", "drafted"]
    entry = body["items"][0]
    assert PHONE not in first.text and CUSTOMER not in first.text
    assert entry["message"].startswith("能退货吗?我电话 [")
    assert entry["suggestions"][0]["draft_id"].startswith("reply-")
    assert entry["suggestions"][0]["sources"] == ["faq.md"]
    assert entry["suggestions"][0]["verdict"] == "pass"
    assert body["next_after"] == body["items"][1]["id"]
    rest = api.get("/queue", params={"limit": 2, "after": body["next_after"]}).json()
    assert [i["message"] for i in rest["items"]] == ["第三条"] and rest["next_after"] is None
    assert api.get("/queue", params={"status": "sent"}).json()["items"] == []


def test_approve_sends_the_edited_reply_once_and_records_the_edit(
    app: Copilot, api: TestClient, stub: StubClient
) -> None:
    (item,) = received(app, "能退货吗")
    chosen = item.suggestions[1].draft_id
    reply = "您好,可以七天无理由退货,运费我们出。"
    done = api.post(f"/queue/{item.id}/approve", json={"text": reply, "draft_id": chosen})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "sent" and done.json()["approver"] == "api:local"
    assert stub.sent == [(CUSTOMER, "wkShop", reply, f"siyu-{item.id}")]
    assert [a.action for a in actions(app, chosen)] == ["edited"]
    assert actions(app, item.suggestions[0].draft_id) == []
    again = api.post(f"/queue/{item.id}/approve", json={"text": reply})
    assert again.status_code == 409 and again.json()["code"] == "wecom_not_open"
    assert len(stub.sent) == 1
    waiting = api.get("/queue").json()["items"]
    assert waiting == []


def test_a_suggestion_sent_as_is_is_accepted(app: Copilot, api: TestClient) -> None:
    (item,) = received(app, "能退货吗")
    suggestion = item.suggestions[0]
    done = api.post(f"/queue/{item.id}/approve", json={"text": suggestion.text})
    assert done.status_code == 200, done.text
    assert [a.action for a in actions(app, suggestion.draft_id)] == ["accepted"]


def test_reject_needs_a_reason_and_sends_nothing(
    app: Copilot, api: TestClient, stub: StubClient
) -> None:
    (item,) = received(app, "在吗")
    blank = api.post(f"/queue/{item.id}/reject", json={"reason": ""})
    assert blank.status_code == 422 and blank.headers["content-type"].startswith(
        "application/problem+json"
    )
    done = api.post(f"/queue/{item.id}/reject", json={"reason": "客户已电话解决"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "rejected" and done.json()["error"] == "客户已电话解决"
    (action,) = actions(app, item.suggestions[0].draft_id)
    assert (action.action, action.reason) == ("rejected", "客户已电话解决")
    assert stub.sent == []


def test_unknown_item_foreign_draft_and_send_failure_are_problems(
    app: Copilot, api: TestClient, stub: StubClient
) -> None:
    (item,) = received(app, "能退货吗")
    missing = api.post(
        "/queue/999/approve", json={"text": "好的"}, headers={"Accept-Language": "en"}
    )
    assert missing.status_code == 404 and missing.json()["code"] == "queue_item_not_found"
    assert missing.json()["detail"] == "no queue item 999"
    foreign = api.post(f"/queue/{item.id}/approve", json={"text": "好的", "draft_id": "reply-x-1"})
    assert foreign.status_code == 422 and foreign.json()["code"] == "draft_not_in_item"
    stub.failing = True
    failed = api.post(f"/queue/{item.id}/approve", json={"text": "好的"})
    assert failed.status_code == 502 and failed.json()["code"] == "wecom_send_failed"
    assert app.wecom.queue.get(item.id).status == "failed"
    stub.failing = False
    retried = api.post(f"/queue/{item.id}/approve", json={"text": "好的"})
    assert retried.json()["status"] == "sent"
    assert stub.sent == [(CUSTOMER, "wkShop", "好的", f"siyu-{item.id}")]


def test_reading_needs_draft_and_deciding_needs_feedback(app: Copilot) -> None:
    remote = TestClient(build_api(app, require_keys=True))
    (item,) = received(app, "能退货吗")
    assert remote.get("/queue").json()["code"] == "key_required"
    issued = KeyRing(app.db, app.audit).create("reader", ("draft",))
    reader = {"Authorization": f"Bearer {issued.token}"}
    assert remote.get("/queue", headers=reader).status_code == 200
    refused = remote.post(f"/queue/{item.id}/reject", json={"reason": "x"}, headers=reader)
    assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"


def test_without_the_connector_the_queue_says_so(tmp_path: Path) -> None:
    app = Copilot.from_settings(Settings(home=tmp_path, embedding={"provider": "fake"}))
    api = TestClient(build_api(app, require_keys=False))
    for response in (
        api.get("/queue"),
        api.post("/queue/1/approve", json={"text": "好的"}),
        api.post("/queue/1/reject", json={"reason": "x"}),
    ):
        assert response.status_code == 409
        assert response.json()["code"] == "wecom_not_configured"
        assert "SIYU_WECOM_SECRET" in response.json()["detail"]
    app.db.dispose()
