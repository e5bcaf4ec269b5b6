"""The shapes the connector reads from WeCom and keeps in its queue."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["new", "drafted", "approved", "sent", "failed", "rejected"]

CUSTOMER_ORIGIN = 3  # kf/sync_msg: 3 = sent by the WeChat customer, 4 = system, 5 = servicer


class KfText(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str = ""


class KfMessage(BaseModel):
    """One entry of ``kf/sync_msg``'s ``msg_list`` (fields this connector uses)."""

    model_config = ConfigDict(extra="ignore")

    msgid: str = ""
    open_kfid: str = ""
    external_userid: str = ""
    send_time: int = 0
    origin: int = 0
    msgtype: str = ""
    text: KfText | None = None

    @property
    def customer_text(self) -> str:
        """The text a customer wrote ("" for events, servicer messages and other types)."""
        if self.origin != CUSTOMER_ORIGIN or self.msgtype != "text" or self.text is None:
            return ""
        return self.text.content.strip()


class SyncPage(BaseModel):
    """One ``kf/sync_msg`` answer."""

    model_config = ConfigDict(extra="ignore")

    next_cursor: str = ""
    has_more: int = 0
    msg_list: list[KfMessage] = Field(default_factory=list)


class CallbackEvent(BaseModel):
    """The decrypted callback: ``kf_msg_or_event`` carries a sync token and the account id."""

    model_config = ConfigDict(extra="forbid")

    msg_type: str
    event: str
    token: str = ""
    open_kfid: str = ""


class Suggestion(BaseModel):
    """One drafted reply an agent may approve, edit or reject."""

    model_config = ConfigDict(extra="forbid")

    draft_id: str
    text: str
    verdict: str
    needs_human: bool = False
    sources: list[str] = Field(default_factory=list)


class QueueItem(BaseModel):
    """A customer message waiting for (or past) a person's decision."""

    model_config = ConfigDict(extra="forbid")

    id: int
    msgid: str
    open_kfid: str
    external_userid: str
    text: str
    received_at: datetime
    status: Status
    suggestions: list[Suggestion] = Field(default_factory=list)
    approved_text: str = ""
    approver: str = ""
    attempts: int = 0
    last_error: str = ""
    sent_at: datetime | None = None

    @property
    def label(self) -> str:
        """The id audit events use for this item."""
        return f"wecom-{self.id}"

    @property
    def send_msgid(self) -> str:
        """The idempotency id given to ``kf/send_msg``: a retry of this item is the same message."""
        return f"siyu-{self.id}"
