"""The connector: callback → sync → queue → background drafts → a person's approval → send.

A callback is answered as soon as its messages are stored; drafting runs on a worker thread.
The sync cursor is saved only after the page's items are stored, so a crash in between makes
the next callback pull the same page again, and the msgid uniqueness turns it into no new item.
Sending happens only in ``approve``, only for an item a person approved, and at most once: the
item is claimed by one conditional update, and its reply carries a fixed msgid for WeCom.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

from copilot.audit.log import AuditLog, WecomMessage
from copilot.config import WecomSettings
from copilot.drafting.models import DraftResult
from copilot.drafting.records import record_decision, record_drafts
from copilot.errors import ConfigError, CopilotError, InputError
from copilot.messages import msg
from copilot.store.engine import Database
from copilot.wecom.client import WecomClient
from copilot.wecom.crypto import CallbackCrypto, ReplayGuard, parse_event
from copilot.wecom.models import QueueItem, Suggestion
from copilot.wecom.queue import WecomQueue

log = logging.getLogger(__name__)

KF_EVENT = "kf_msg_or_event"
SYSTEM_ACTOR = "wecom"
MAX_TEXT_BYTES = 2048  # kf/send_msg: text.content is at most 2048 bytes
Draft = Callable[[str], DraftResult]
Step = Literal["received", "draft_failed", "approved", "rejected", "sent", "send_failed"]


class WecomConnector:
    """One WeCom customer service integration over the store, the audit log and a drafter."""

    def __init__(
        self,
        settings: WecomSettings,
        db: Database,
        audit: AuditLog,
        draft: Draft,
        *,
        client: WecomClient | None = None,
        guard: ReplayGuard | None = None,
        workers: int = 1,
    ) -> None:
        if not settings.configured:
            raise ConfigError(
                msg("微信客服连接未配置", "the WeCom connector is not configured"),
                hint=msg(
                    "设置 SIYU_WECOM_CORP_ID、SIYU_WECOM_SECRET、SIYU_WECOM_TOKEN 和 SIYU_WECOM_AES_KEY",
                    "set SIYU_WECOM_CORP_ID, SIYU_WECOM_SECRET, SIYU_WECOM_TOKEN and "
                    "SIYU_WECOM_AES_KEY",
                ),
            )
        self.crypto = CallbackCrypto(
            _secret(settings.token), _secret(settings.aes_key), settings.corp_id or ""
        )
        self.client = client or WecomClient(settings)
        self.guard = guard or ReplayGuard(settings.replay_window_s)
        self.queue = WecomQueue(db)
        self.audit = audit
        self.draft = draft
        self._drafting = ThreadPoolExecutor(workers, thread_name_prefix="wecom-draft")
        self._sync_lock = threading.Lock()

    # callbacks

    def verify_url(self, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """Answer WeCom's URL check: the decrypted echostr, when the signature is right."""
        plain = self.crypto.verify_url(signature, timestamp, nonce, echostr)
        self.guard.admit(timestamp, nonce)
        return plain

    def handle_callback(
        self, body: bytes, signature: str, timestamp: str, nonce: str
    ) -> list[QueueItem]:
        """Check and decrypt a callback; on kf_msg_or_event store the new customer messages
        and start drafting them. Returns the items added (empty for other events)."""
        event = parse_event(self.crypto.decrypt(body, signature, timestamp, nonce))
        self.guard.admit(timestamp, nonce)
        if event.event != KF_EVENT or not event.open_kfid:
            return []
        try:
            return self.sync(event.open_kfid, event.token)
        except BaseException:
            self.guard.release(timestamp, nonce)  # WeCom's retry of this callback is welcome
            raise

    def sync(self, open_kfid: str, token: str) -> list[QueueItem]:
        """Pull every page after the saved cursor; store items, then advance the cursor."""
        added: list[QueueItem] = []
        # one sync at a time per process, and per account among replicas: cursors advance in order
        with self._sync_lock, self.queue.db.exclusive(f"wecom-sync-{open_kfid}"):
            cursor = self.queue.cursor(open_kfid)
            while True:
                page = self.client.sync_msg(cursor, token, open_kfid)
                items = self.queue.add(page.msg_list)
                self._received(items)
                added += items
                if not page.next_cursor or page.next_cursor == cursor:
                    return added  # nothing to advance to; the next callback continues
                cursor = page.next_cursor
                self.queue.save_cursor(open_kfid, cursor)
                if not page.has_more:  # an empty page may still have more behind it
                    return added

    def _received(self, items: list[QueueItem]) -> None:
        for item in items:
            self._step(item, "received", msgid=item.msgid, text=item.text)
            self.submit(item)

    # drafting

    def submit(self, item: QueueItem) -> Future[None]:
        """Draft suggestions for `item` on the worker thread."""
        return self._drafting.submit(self._draft, item)

    def resume(self) -> int:
        """Draft the items still new (after a restart); returns how many were submitted."""
        pending = [i for i in self.queue.items(("new",)) if not i.last_error]
        for item in pending:
            self.submit(item)
        return len(pending)

    def _draft(self, item: QueueItem) -> None:
        try:
            result = self.draft(item.text)
        except CopilotError as exc:
            self._draft_failed(item, exc.render("en"))
            return
        except Exception as exc:  # a drafting bug must not kill the worker
            log.exception("drafting WeCom item %s failed", item.id)
            self._draft_failed(item, exc.__class__.__name__)
            return
        try:  # the drafts are recorded only together with the suggestions they become
            with self.queue.db.begin() as conn:
                ids = record_drafts(self.audit, result, actor=SYSTEM_ACTOR, conn=conn)
                if not self.queue.drafted(item.id, _suggestions(result, ids), conn):
                    raise _Superseded
        except _Superseded:
            pass  # a person acted first, or another replica or worker drafted it first

    def _draft_failed(self, item: QueueItem, error: str) -> None:
        if self.queue.draft_failed(item.id, error):
            self._step(item, "draft_failed", error=error)

    def close(self, wait: bool = True) -> None:
        """Stop the drafting worker (after the submitted drafts when `wait`)."""
        self._drafting.shutdown(wait=wait)
        self.client.close()

    # a person's decision

    def approve(
        self, item_id: int, text: str, approver: str, draft_id: str | None = None
    ) -> QueueItem:
        """Send `text` as the reply to item `item_id`, approved by `approver`; `draft_id` names
        the suggestion the person started from (default: the first).

        Only an open item (new, drafted or failed) is sent; the item ends sent, or failed with
        the error (a failed item may be approved again and is sent with the same msgid)."""
        reply = text.strip()
        if not reply or not approver.strip():
            raise InputError(
                msg("回复内容和审核人都不能为空", "the reply text and the approver are required"),
                where=f"wecom-{item_id}",
            )
        if len(reply.encode()) > MAX_TEXT_BYTES:
            raise InputError(
                msg(
                    f"回复过长:微信客服文本最多 {MAX_TEXT_BYTES} 字节",
                    f"the reply is too long: WeCom text messages hold at most {MAX_TEXT_BYTES} bytes",
                ),
                where=f"wecom-{item_id}",
                code="wecom_text_too_long",
            )
        item = self.queue.get(item_id)
        if not self.queue.claim(item_id, reply, approver):
            raise _not_open(self.queue.get(item_id))
        try:  # from here on the item ends sent or failed, never stuck as approved
            self._step(item, "approved", actor=approver, text=reply)
            self._decide(item, reply, approver, draft_id)
            attempts = self.client.send_text(
                item.external_userid, item.open_kfid, reply, item.send_msgid
            )
        except CopilotError as exc:
            attempts = getattr(exc, "attempts", 0)
            error = exc.render("en")
            self.queue.send_failed(item_id, attempts, error)
            self._step(item, "send_failed", msgid=item.send_msgid, attempts=attempts, error=error)
        else:
            self.queue.sent(item_id, attempts)
            self._step(item, "sent", msgid=item.send_msgid, attempts=attempts)
        return self.queue.get(item_id)

    def reject(self, item_id: int, approver: str, reason: str) -> QueueItem:
        """Close an open item without sending anything."""
        item = self.queue.get(item_id)
        reason = reason.strip()
        if not reason:
            raise InputError(msg("拒绝需要理由", "a rejection needs a reason"), where=item.label)
        if not self.queue.reject(item_id, approver, reason):
            raise _not_open(self.queue.get(item_id))
        self._step(item, "rejected", actor=approver, error=reason)
        if item.suggestions:
            record_decision(
                self.audit, item.suggestions[0].draft_id, "rejected", actor=approver, reason=reason
            )
        return self.queue.get(item_id)

    def _decide(self, item: QueueItem, reply: str, approver: str, draft_id: str | None) -> None:
        """For the acceptance reports: a suggestion sent as is was accepted, anything else is an
        edit of the chosen suggestion (the first when none was named)."""
        if not item.suggestions:
            return
        for suggestion in item.suggestions:
            if suggestion.text.strip() == reply:
                record_decision(self.audit, suggestion.draft_id, "accepted", actor=approver)
                return
        chosen = draft_id or item.suggestions[0].draft_id
        record_decision(self.audit, chosen, "edited", actor=approver, text=reply)

    def _step(
        self, item: QueueItem, step: Step, *, actor: str = SYSTEM_ACTOR, **fields: Any
    ) -> None:
        event = WecomMessage(item=item.label, step=step, open_kfid=item.open_kfid, **fields)
        self.audit.record(event, actor=actor)


class _Superseded(Exception):
    """The item was no longer new when its suggestions were ready: record nothing."""


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter else ""


def _suggestions(result: DraftResult, ids: list[str]) -> list[Suggestion]:
    return [
        Suggestion(
            draft_id=draft_id,
            text=draft.text,
            verdict=draft.verdict.verdict,
            needs_human=draft.needs_human,
            sources=[c.source for c in draft.citations],
        )
        for draft, draft_id in zip(result.drafts, ids, strict=True)
    ]


def _not_open(item: QueueItem) -> InputError:
    return InputError(
        msg(
            f"这条消息当前状态为 {item.status},不能再处理",
            f"this item is {item.status} and cannot be acted on",
        ),
        where=item.label,
        code="wecom_not_open",
    )
