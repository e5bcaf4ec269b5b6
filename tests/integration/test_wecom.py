"""The WeChat Customer Service connector against a loopback WeCom API and a real uvicorn server:
callbacks encrypted and signed by wechatpy, messages pulled with kf/sync_msg, drafted by the
template drafter, approved, and sent with kf/send_msg."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from copilot.audit.log import AuditLog, HumanAction, WecomMessage
from copilot.config import Settings, WecomSettings
from copilot.drafting import Draft, Drafter, DraftResult, PromptRef, ReplyRequest
from copilot.errors import InputError, StoreError
from copilot.guardrails.models import Verdict
from copilot.llm.template import TemplateBackend
from copilot.retrieval.fixed import FixedRetriever
from copilot.store.engine import Database
from copilot.wecom import QueueItem, WecomConnector, callback_router
from copilot.wecom.queue import WecomQueue
from tests.integration.passages import FAQ
from tests.integration.wecom_fake import (
    CORP_ID,
    OPEN_KFID,
    SECRET,
    Signer,
    WecomState,
    fake_wecom,
    serve,
)

pytestmark = pytest.mark.integration

TOKEN = "siyuCallbackToken"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters


@dataclass
class Rig:
    wecom: WecomState
    connector: WecomConnector
    url: str
    signer: Signer
    db: Database

    def post(self, plaintext: str, *, tamper: bool = False) -> httpx.Response:
        params, body = self.signer.callback(plaintext, str(int(time.time())))
        if tamper:
            params["msg_signature"] = params["msg_signature"][::-1]
        return httpx.post(f"{self.url}/wecom/kf/callback", params=params, content=body)

    def kf_event(self) -> httpx.Response:
        return self.post(self.signer.kf_event())

    def items(self) -> list[QueueItem]:
        return self.connector.queue.items()

    def drafted(self, count: int, timeout: float = 30) -> list[QueueItem]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            items = self.items()
            if len(items) == count and all(i.status != "new" or i.last_error for i in items):
                return items
            time.sleep(0.02)
        raise AssertionError(f"not drafted in time: {self.items()}")


def canned(text: str) -> DraftResult:
    """A drafted reply without retrieval: the connector's tests are about the connector."""
    verdict = Verdict(verdict="pass")
    return DraftResult(
        task="reply",
        drafts=[Draft(text=f"您好,关于「{text}」我们马上为您处理。", verdict=verdict)],
        backend="模板模式",
        prompt=PromptRef(id="reply", version="1", hash="0", language="zh"),
        verdict=verdict,
        customer_message=text,
    )


def template_drafter(home: Path) -> Callable[[str], DraftResult]:
    """The product's template drafter on one FAQ passage."""
    drafter = Drafter.from_settings(
        Settings(home=home), backend=TemplateBackend(), retriever=FixedRetriever([FAQ])
    )
    return lambda text: drafter.reply(ReplyRequest(message=text))


@pytest.fixture
def rig(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Rig]:
    real = getattr(request, "param", "canned") == "template"
    draft = template_drafter(tmp_path / "home") if real else canned
    with fake_wecom() as (api, state):
        settings = WecomSettings(
            corp_id=CORP_ID,
            secret=SecretStr(SECRET),
            token=SecretStr(TOKEN),
            aes_key=SecretStr(AES_KEY),
            api_base=api,
            retry_backoff_s=0.01,
            max_retries=2,
        )
        db = Database(f"sqlite:///{tmp_path / 'siyu.db'}")
        audit = AuditLog(db, redactor=lambda text: text)
        connector = WecomConnector(settings, db, audit, draft)
        from fastapi import FastAPI

        app = FastAPI()
        app.include_router(callback_router(connector))
        with serve(app) as url:
            yield Rig(state, connector, url, Signer(TOKEN, AES_KEY), db)
        connector.close()
        db.dispose()


def test_url_verification_answers_the_decrypted_echostr(rig: Rig) -> None:
    timestamp, nonce = str(int(time.time())), "verify1"
    echostr = rig.signer.crypto.encrypt_message("echo-12345", nonce, timestamp)
    from xml.etree import ElementTree as ET

    envelope = ET.fromstring(echostr)
    params = {
        "msg_signature": envelope.findtext("MsgSignature"),
        "timestamp": timestamp,
        "nonce": nonce,
        "echostr": envelope.findtext("Encrypt"),
    }
    url = f"{rig.url}/wecom/kf/callback"
    bad = httpx.get(url, params={**params, "msg_signature": "0" * 40})
    assert bad.status_code == 403
    good = httpx.get(url, params=params)
    assert (good.status_code, good.text) == (200, "echo-12345")
    assert httpx.get(url, params=params).status_code == 403  # the same nonce again: a replay


@pytest.mark.parametrize("rig", ["canned", "template"], indirect=True)
def test_customer_messages_become_drafted_items_and_an_approval_sends_once(rig: Rig) -> None:
    rig.wecom.event_happens("evt-1")
    rig.wecom.customer_says("msg-1", "退货运费谁承担?")
    rig.wecom.customer_says("msg-2", "质量问题退货要自己付运费吗")
    response = rig.kf_event()
    assert response.status_code == 200
    items = rig.drafted(2)
    assert [i.msgid for i in items] == ["msg-1", "msg-2"]
    first = items[0]
    assert first.status == "drafted" and first.suggestions
    assert "运费" in first.suggestions[0].text
    assert rig.wecom.delivered == {}  # nothing leaves before a person approves

    sent = rig.connector.approve(first.id, first.suggestions[0].text, "agent-li")
    assert (sent.status, sent.approver, sent.attempts) == ("sent", "agent-li", 1)
    delivered = rig.wecom.delivered[first.send_msgid]
    assert delivered["touser"] == "wmCustomer01"
    assert delivered["text"]["content"] == first.suggestions[0].text
    with pytest.raises(InputError, match="sent"):
        rig.connector.approve(first.id, "再发一次", "agent-li")
    assert len(rig.wecom.delivered) == 1

    kinds = [(r.actor, r.event) for r in rig.connector.audit.events()]
    steps = [e.step for _, e in kinds if isinstance(e, WecomMessage)]
    assert steps == ["received", "received", "approved", "sent"]
    decisions = [(a, e.action) for a, e in kinds if isinstance(e, HumanAction)]
    assert decisions == [("agent-li", "accepted")]


def test_tampered_undecryptable_and_replayed_callbacks_are_refused(rig: Rig) -> None:
    rig.wecom.customer_says("msg-1", "退货运费谁承担?")
    assert rig.post(rig.signer.kf_event(), tamper=True).status_code == 403
    url = f"{rig.url}/wecom/kf/callback"
    params, body = rig.signer.callback(rig.signer.kf_event(), str(int(time.time())))
    garbage = httpx.post(url, params=params, content=b"<xml><Encrypt>%%%</Encrypt></xml>")
    assert garbage.status_code == 403  # the signature covers the ciphertext
    assert httpx.post(url, params=params, content=b"not xml").status_code == 400
    assert httpx.post(url, params=params, content=body).status_code == 200
    assert httpx.post(url, params=params, content=body).status_code == 403  # replayed
    stale, stale_body = rig.signer.callback(rig.signer.kf_event(), str(int(time.time()) - 3600))
    assert httpx.post(url, params=stale, content=stale_body).status_code == 403
    assert [i.msgid for i in rig.drafted(1)] == ["msg-1"]


def test_the_same_msgid_twice_is_one_item(rig: Rig) -> None:
    rig.wecom.customer_says("msg-1", "退货运费谁承担?")
    rig.wecom.customer_says("msg-1", "退货运费谁承担?")  # WeCom repeats a message
    assert rig.kf_event().status_code == 200
    # the cursor is lost (a restored backup): the same page comes back again
    rig.connector.queue.save_cursor(OPEN_KFID, "")
    assert rig.kf_event().status_code == 200
    assert [i.msgid for i in rig.drafted(1)] == ["msg-1"]


def test_send_failures_are_retried_then_reported_and_a_retry_sends_once(rig: Rig) -> None:
    rig.wecom.customer_says("msg-1", "退货运费谁承担?")
    rig.kf_event()
    item = rig.drafted(1)[0]
    rig.wecom.fail_sends = 2  # two 502s, then it goes through (max_retries = 2)
    sent = rig.connector.approve(item.id, "您好,质量问题的退货运费由我们承担。", "agent-li")
    assert (sent.status, sent.attempts) == ("sent", 3)

    rig.wecom.customer_says("msg-2", "还有一个问题")
    rig.kf_event()
    second = rig.drafted(2)[1]
    rig.wecom.fail_sends = 10
    failed = rig.connector.approve(second.id, "稍等,我帮您查一下。", "agent-li")
    assert (failed.status, failed.attempts) == ("failed", 3)
    assert "HTTP 502" in failed.last_error and "/cgi-bin/kf/send_msg" in failed.last_error
    assert second.send_msgid not in rig.wecom.delivered
    rig.wecom.fail_sends = 0
    again = rig.connector.approve(second.id, "稍等,我帮您查一下。", "agent-wang")
    assert (again.status, again.approver) == ("sent", "agent-wang")
    assert len(rig.wecom.delivered) == 2
    failures = [
        r.event
        for r in rig.connector.audit.events()
        if isinstance(r.event, WecomMessage) and r.event.step == "send_failed"
    ]
    assert [f.attempts for f in failures] == [3]


def test_two_people_approving_at_once_send_one_message(rig: Rig) -> None:
    rig.wecom.customer_says("msg-1", "退货运费谁承担?")
    rig.kf_event()
    item = rig.drafted(1)[0]
    outcomes: list[str] = []

    def approve(who: str) -> None:
        try:
            outcomes.append(rig.connector.approve(item.id, f"{who} 的回复", who).status)
        except InputError:
            outcomes.append("refused")

    threads = [threading.Thread(target=approve, args=(f"agent-{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "sent"]
    assert list(rig.wecom.delivered) == [item.send_msgid]


def test_an_expired_access_token_is_fetched_again(rig: Rig) -> None:
    rig.wecom.customer_says("msg-1", "退货运费谁承担?")
    rig.kf_event()
    rig.drafted(1)
    rig.wecom.expire_tokens()
    rig.wecom.customer_says("msg-2", "还有一个问题")
    assert rig.kf_event().status_code == 200
    assert len(rig.drafted(2)) == 2
    assert rig.wecom.calls.count("/cgi-bin/gettoken") == 2
    assert rig.wecom.tokens == {"token-1": False, "token-2": True}


def test_wecom_busy_is_retried_and_an_unreachable_api_loses_nothing(rig: Rig) -> None:
    rig.wecom.customer_says("msg-1", "退货运费谁承担?")
    rig.wecom.busy_syncs = 2
    assert rig.kf_event().status_code == 200
    rig.wecom.busy_syncs = 10
    rig.wecom.customer_says("msg-2", "还有一个问题")
    assert rig.kf_event().status_code == 503
    rig.wecom.busy_syncs = 0
    assert rig.kf_event().status_code == 200
    assert [i.msgid for i in rig.drafted(2)] == ["msg-1", "msg-2"]


def test_a_crash_between_storing_and_saving_the_cursor_loses_nothing(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        rig.wecom.customer_says(f"msg-{n}", f"第 {n} 个问题:退货运费谁承担?")

    def crash(self: WecomQueue, open_kfid: str, cursor: str) -> None:
        raise StoreError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(WecomQueue, "save_cursor", crash)
        params, body = rig.signer.callback(rig.signer.kf_event(), str(int(time.time())))
        url = f"{rig.url}/wecom/kf/callback"
        assert httpx.post(url, params=params, content=body).status_code == 500
    assert rig.connector.queue.cursor(OPEN_KFID) == ""
    # WeCom retries the same callback (same nonce): it is accepted and pulls the page again
    assert httpx.post(url, params=params, content=body).status_code == 200
    assert [i.msgid for i in rig.drafted(3)] == ["msg-0", "msg-1", "msg-2"]
    assert rig.connector.queue.cursor(OPEN_KFID) == "3"


def test_the_workbench_server_mounts_the_callback_when_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copilot.app import Copilot
    from copilot.ui.server import create_app
    from copilot.ui.workbench import Workbench

    monkeypatch.setenv("SIYU_EMBEDDING_PROVIDER", "fake")
    with fake_wecom() as (api, state):
        for name, value in {
            "CORP_ID": CORP_ID,
            "SECRET": SECRET,
            "TOKEN": TOKEN,
            "AES_KEY": AES_KEY,
            "API_BASE": api,
        }.items():
            monkeypatch.setenv(f"SIYU_WECOM_{name}", value)
        copilot = Copilot(Settings())
        signer = Signer(TOKEN, AES_KEY)
        state.customer_says("msg-1", "退货运费谁承担?")
        with serve(create_app(Workbench(copilot), None)) as url:
            params, body = signer.callback(signer.kf_event(), str(int(time.time())))
            response = httpx.post(f"{url}/wecom/kf/callback", params=params, content=body)
            assert response.status_code == 200
            params["msg_signature"] = "0" * 40
            refused = httpx.post(f"{url}/wecom/kf/callback", params=params, content=body)
            assert refused.status_code == 403
        assert [i.msgid for i in copilot.wecom.queue.items()] == ["msg-1"]
        copilot.wecom.close()
