"""``/v1/queue``: the 微信客服 messages waiting for a person, and that person's decision.

Reading the queue needs the ``draft`` scope; approving (sending through WeCom) and rejecting need
``feedback``. The customer's message is shown with its personal data replaced by placeholders
and the customer by a pseudonym: the agent needs the question, not the phone number. Without
the SIYU_WECOM_* settings every route answers 409 ``wecom_not_configured``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from copilot.api.problems import ApiError, responses
from copilot.api.security import Drafting, Feedback
from copilot.app import Copilot
from copilot.errors import InputError
from copilot.guardrails import redact
from copilot.messages import msg
from copilot.wecom import QueueItem, Suggestion, WecomConnector
from copilot.wecom.connector import MAX_TEXT_BYTES
from copilot.wecom.models import Status
from copilot.wecom.queue import OPEN

READING = responses(400, 401, 403, 409, 422, 429, 500, 503)
DECIDING = responses(400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503)
MAX_ID = 2**62
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="the queue item's id")]
Statuses = Annotated[list[Status] | None, Query(description="default: new, drafted, failed")]


class QueueEntry(BaseModel):
    """One customer message and its suggestions, as an agent sees it."""

    id: int
    status: Status
    customer: str = Field(description="a stable pseudonym of the customer (not their WeCom id)")
    open_kfid: str = Field(description="the 微信客服 account the customer wrote to")
    message: str = Field(description="the customer's message, personal data as placeholders")
    received_at: datetime
    suggestions: list[Suggestion] = Field(description="drafts with their ids, verdicts, sources")
    approved_text: str = Field("", description="the reply a person approved")
    approver: str = ""
    attempts: int = Field(0, description="send requests made to WeCom")
    error: str = Field("", description="why drafting or sending failed, or the rejection reason")
    sent_at: datetime | None = None


class QueuePage(BaseModel):
    items: list[QueueEntry]
    next_after: int | None = Field(description="pass as `after` for the next page; null at the end")


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1, max_length=MAX_TEXT_BYTES, description="the reply to send, as approved"
    )
    draft_id: str | None = Field(
        None, max_length=128, description="the suggestion the reply started from"
    )


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="why nothing is sent")


def queue_router(app: Copilot) -> APIRouter:
    """The queue routes over `app`'s WeCom connector."""
    router = APIRouter(prefix="/queue", tags=["queue"])

    def connector() -> WecomConnector:
        if not app.settings.wecom.configured:
            raise ApiError(409, "wecom_not_configured", msg(
                "微信客服连接未配置:设置 SIYU_WECOM_CORP_ID、SIYU_WECOM_SECRET、SIYU_WECOM_TOKEN "
                "和 SIYU_WECOM_AES_KEY 后重启服务",
                "the WeCom connector is not configured: set SIYU_WECOM_CORP_ID, "
                "SIYU_WECOM_SECRET, SIYU_WECOM_TOKEN and SIYU_WECOM_AES_KEY and restart",
            ))  # fmt: skip
        return app.wecom

    def open_item(wecom: WecomConnector, item_id: int) -> QueueItem:
        try:
            return wecom.queue.get(item_id)
        except InputError as exc:
            raise ApiError(404, "queue_item_not_found", exc.message) from exc

    def decided(item: QueueItem) -> QueueEntry:
        if item.status == "failed":
            raise ApiError(502, "wecom_send_failed", msg(
                f"发送失败,可再次通过重发(同一消息 id):{item.last_error}",
                f"sending failed; approve again to retry (same message id): {item.last_error}",
            ))  # fmt: skip
        return _entry(item)

    @router.get("", response_model=QueuePage, responses=READING)
    def waiting(
        who: Drafting,
        status: Statuses = None,
        after: Annotated[int, Query(ge=0, le=MAX_ID, description="items with a larger id")] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
    ) -> QueuePage:
        """Customer messages oldest first, by default those waiting for a person."""
        items = connector().queue.items(status or OPEN, limit=limit + 1, after=after)
        page = items[:limit]
        more = len(items) > limit
        return QueuePage(items=[_entry(i) for i in page], next_after=page[-1].id if more else None)

    @router.post("/{item_id}/approve", response_model=QueueEntry, responses=DECIDING)
    def approve(item_id: ItemId, body: ApproveIn, who: Feedback) -> QueueEntry:
        """Send `text` to the customer through 微信客服 (once, whatever the retries). Sent as a
        suggestion's text it is recorded as accepted, otherwise as an edit of `draft_id`."""
        wecom = connector()
        item = open_item(wecom, item_id)
        if body.draft_id and body.draft_id not in {s.draft_id for s in item.suggestions}:
            raise ApiError(422, "draft_not_in_item", msg(
                "这条草稿不属于该消息的建议", "the draft is not one of this item's suggestions"
            ))  # fmt: skip
        return decided(_open(lambda: wecom.approve(item_id, body.text, who.actor, body.draft_id)))

    @router.post("/{item_id}/reject", response_model=QueueEntry, responses=DECIDING)
    def reject(item_id: ItemId, body: RejectIn, who: Feedback) -> QueueEntry:
        """Close the item without sending anything; the reason is kept in the audit log."""
        wecom = connector()
        open_item(wecom, item_id)
        return _entry(_open(lambda: wecom.reject(item_id, who.actor, body.reason)))

    return router


def _open(decide: Callable[[], QueueItem]) -> QueueItem:
    """Run a decision; an item already decided (or being sent) is a 409."""
    try:
        return decide()
    except InputError as exc:
        if exc.code == "wecom_not_open":
            raise ApiError(409, exc.code, exc.message) from exc
        raise


def _entry(item: QueueItem) -> QueueEntry:
    return QueueEntry(
        id=item.id,
        status=item.status,
        customer=hashlib.sha256(item.external_userid.encode()).hexdigest()[:12],
        open_kfid=item.open_kfid,
        message=redact(item.text).text,
        received_at=item.received_at,
        suggestions=item.suggestions,
        approved_text=item.approved_text,
        approver=item.approver,
        attempts=item.attempts,
        error=item.last_error,
        sent_at=item.sent_at,
    )
