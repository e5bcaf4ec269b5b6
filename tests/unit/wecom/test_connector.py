"""The connector with a fake WeCom client: queue states, approval rules and audit events."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from copilot.audit.log import AuditLog, HumanAction, WecomMessage
from copilot.config import WecomSettings
from copilot.drafting import Draft, DraftResult, PromptRef
from copilot.errors import BackendError, InputError
from copilot.guardrails.models import Verdict
from copilot.store.engine import Database
from copilot.wecom import WecomConnector
from copilot.wecom.client import WecomClient
from copilot.wecom.models import KfMessage, KfText, SyncPage

SETTINGS = WecomSettings(
    corp_id="ww1",
    secret=SecretStr("s"),
    token=SecretStr("t"),
    aes_key=SecretStr(base64.b64encode(bytes(32)).decode().rstrip("=")),
)


def text(msgid: str, content: str) -> KfMessage:
    return KfMessage(
        msgid=msgid,
        open_kfid="wk1",
        external_userid="wm1",
        send_time=1764460800,
        origin=3,
        msgtype="text",
        text=KfText(content=content),
    )


class FakeClient(WecomClient):
    def __init__(self) -> None:
        super().__init__(SETTINGS)
        self.pages: list[SyncPage] = []
        self.cursors: list[str] = []
        self.sent: list[tuple[str, str]] = []
        self.failure: BackendError | None = None

    def sync_msg(self, cursor: str, token: str, open_kfid: str) -> SyncPage:
        self.cursors.append(cursor)
        return self.pages.pop(0)

    def send_text(self, touser: str, open_kfid: str, content: str, msgid: str) -> int:
        if self.failure:
            raise self.failure
        self.sent.append((msgid, content))
        return 1


def drafted(message: str) -> DraftResult:
    if "boom" in message:
        raise InputError("客户消息为空 / empty")
    verdict = Verdict(verdict="pass")
    return DraftResult(
        task="reply",
        drafts=[
            Draft(text=f"答复一:{message}", verdict=verdict),
            Draft(text="答复二", verdict=verdict),
        ],
        backend="模板模式",
        prompt=PromptRef(id="reply", version="1", hash="0", language="zh"),
        verdict=verdict,
        customer_message=message,
    )


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[WecomConnector, FakeClient]]:
    db = Database(f"sqlite:///{tmp_path / 'q.db'}")
    fake = FakeClient()
    connector = WecomConnector(
        SETTINGS, db, AuditLog(db, redactor=lambda t: t), drafted, client=fake
    )
    yield connector, fake
    connector.close()
    db.dispose()


def sync(connector: WecomConnector, fake: FakeClient, *pages: SyncPage) -> list[int]:
    fake.pages = list(pages)
    items = connector.sync("wk1", "tok")
    connector._drafting.submit(lambda: None).result()  # wait for the drafts queued before
    return [i.id for i in items]


def test_pages_are_pulled_until_has_more_is_0_and_the_cursor_is_kept(parts) -> None:
    connector, fake = parts
    first = SyncPage(next_cursor="c1", has_more=1, msg_list=[text("a", "你好")])
    second = SyncPage(next_cursor="c2", has_more=0, msg_list=[text("b", "在吗"), text("a", "你好")])
    assert len(sync(connector, fake, first, second)) == 2
    assert fake.cursors == ["", "c1"]
    assert connector.queue.cursor("wk1") == "c2"
    assert sync(connector, fake, SyncPage(next_cursor="c2", msg_list=[text("b", "在吗")])) == []
    assert fake.cursors[-1] == "c2"
    assert [i.status for i in connector.queue.items()] == ["drafted", "drafted"]


def test_drafting_failure_keeps_the_item_for_a_person(parts) -> None:
    connector, fake = parts
    (item_id,) = sync(connector, fake, SyncPage(msg_list=[text("a", "boom")]))
    item = connector.queue.get(item_id)
    assert (item.status, item.suggestions) == ("new", [])
    assert "empty" in item.last_error
    assert connector.resume() == 0  # a failed draft is not retried in a loop
    sent = connector.approve(item_id, "您好,请问有什么可以帮您?", "agent")
    assert sent.status == "sent" and fake.sent == [(sent.send_msgid, "您好,请问有什么可以帮您?")]
    assert not [r for r in connector.audit.events() if isinstance(r.event, HumanAction)]


def test_approval_records_accepted_or_edited_against_the_suggestions(parts) -> None:
    connector, fake = parts
    a, b = sync(connector, fake, SyncPage(msg_list=[text("a", "你好"), text("b", "在吗")]))
    connector.approve(a, "答复二", "li")
    connector.approve(b, "答复一:在吗!", "wang")
    decisions = [
        (r.actor, r.event.action, r.event.draft_id)
        for r in connector.audit.events()
        if isinstance(r.event, HumanAction)
    ]
    first, second = connector.queue.get(a), connector.queue.get(b)
    assert decisions == [
        ("li", "accepted", first.suggestions[1].draft_id),
        ("wang", "edited", second.suggestions[0].draft_id),
    ]


def test_nothing_is_sent_without_text_and_approver_or_after_rejection(parts) -> None:
    connector, fake = parts
    (item_id,) = sync(connector, fake, SyncPage(msg_list=[text("a", "你好")]))
    for reply, who in (("", "li"), ("好的", " "), ("好" * 683, "li")):  # 2,049 bytes
        with pytest.raises(InputError):
            connector.approve(item_id, reply, who)
    with pytest.raises(InputError):
        connector.reject(item_id, "li", " ")
    rejected = connector.reject(item_id, "li", "客户已电话联系")
    assert (rejected.status, rejected.last_error) == ("rejected", "客户已电话联系")
    with pytest.raises(InputError) as caught:
        connector.approve(item_id, "好的", "li")
    assert caught.value.code == "wecom_not_open"
    assert fake.sent == []
    steps = [r.event.step for r in connector.audit.events() if isinstance(r.event, WecomMessage)]
    assert steps == ["received", "rejected"]


def test_a_failed_send_is_reported_and_may_be_approved_again(parts) -> None:
    connector, fake = parts
    (item_id,) = sync(connector, fake, SyncPage(msg_list=[text("a", "你好")]))
    fake.failure = BackendError("down", endpoint="/cgi-bin/kf/send_msg", status=502, attempts=4)
    failed = connector.approve(item_id, "好的", "li")
    assert (failed.status, failed.attempts, failed.last_error) == (
        "failed",
        4,
        "/cgi-bin/kf/send_msg: down",
    )
    fake.failure = None
    again = connector.approve(item_id, "好的", "li")
    assert again.status == "sent" and again.last_error == ""
    assert fake.sent == [(again.send_msgid, "好的")]


def test_resume_drafts_items_left_new_by_a_restart(parts) -> None:
    connector, _ = parts
    connector.queue.add([text("a", "你好")])  # stored, then the process stopped
    assert connector.resume() == 1
    connector._drafting.submit(lambda: None).result()
    assert connector.queue.items()[0].status == "drafted"


def test_unknown_item_is_an_input_error(parts) -> None:
    connector, _ = parts
    with pytest.raises(InputError) as caught:
        connector.approve(99, "好的", "li")
    assert "99" in caught.value.render("en")


def test_an_unconfigured_connector_names_the_missing_settings(tmp_path: Path) -> None:
    from copilot.errors import ConfigError

    db = Database(f"sqlite:///{tmp_path / 'q.db'}")
    with pytest.raises(ConfigError) as caught:
        WecomConnector(WecomSettings(corp_id="ww1"), db, AuditLog(db), drafted)
    assert "SIYU_WECOM_AES_KEY" in caught.value.render("en")
    db.dispose()


def test_a_page_that_does_not_advance_the_cursor_ends_the_pull(parts) -> None:
    connector, fake = parts
    empty_but_more = SyncPage(next_cursor="c1", has_more=1)
    stuck = SyncPage(next_cursor="c1", has_more=1, msg_list=[text("a", "你好")])
    assert len(sync(connector, fake, empty_but_more, stuck)) == 1
    assert fake.cursors == ["", "c1"] and connector.queue.cursor("wk1") == "c1"
