"""Request and response bodies of the HTTP API (unknown fields are refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.drafting import DraftResult
from copilot.drafting.reply import MAX_MESSAGE_CHARS
from copilot.drafting.thread import Turn
from copilot.guardrails.models import PiiEntity, PostType
from copilot.retrieval.models import Hit

Language = Literal["zh", "en"]
MAX_TEXT = 4000


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReplyIn(_In):
    message: str = Field(
        min_length=1, max_length=MAX_MESSAGE_CHARS, description="the customer's message"
    )
    context: str = Field("", max_length=MAX_TEXT, description="order or customer context")
    customer_id: str | None = Field(None, max_length=64)
    language: Language | None = Field(None, description="reply language; default: detected")
    thread: list[Turn] = Field(
        default_factory=list,
        description="earlier turns, oldest first; the last SIYU_API_THREAD_TURNS (default 6) "
        "are used, more than SIYU_API_MAX_THREAD_TURNS (default 200) are refused",
    )


class PostIn(_In):
    post_type: PostType
    topic: str = Field(min_length=1, max_length=200)
    brief: str = Field("", max_length=MAX_TEXT)
    community: str = Field("默认社群", min_length=1, max_length=128)
    planned_at: datetime | None = None
    language: Language | None = None


class MessageIn(_In):
    """A 1:1 message: the permitted fields are loaded from the consent registry, never sent."""

    playbook: str = Field(min_length=1, max_length=64)
    customer_id: str = Field(min_length=1, max_length=64)
    brief: str = Field("", max_length=MAX_TEXT, description="offer; default: the playbook's")
    language: Language | None = None


class Drafts(DraftResult):
    """The drafts (as `siyu reply --json` prints them) and the id each was recorded under."""

    draft_ids: list[str] = Field(description="one per draft, for POST /v1/feedback")
    request_id: str = ""


class PiiIn(_In):
    text: str = Field(max_length=100_000)
    language: Language | None = Field(None, description="placeholder language; default: detected")


class PiiOut(BaseModel):
    entities: list[PiiEntity]
    redacted: str


class FeedbackIn(_In):
    draft_id: str = Field(min_length=1, max_length=128)
    action: Literal["accepted", "edited", "rejected"]
    text: str = Field("", max_length=MAX_TEXT, description="the text sent, when edited")
    reason: str = Field("", max_length=500, description="why, when rejected")


class FeedbackOut(BaseModel):
    draft_id: str
    action: str
    overrode: list[str] = Field(description="rules of a blocked draft the person overrode")
    request_id: str = ""


class SearchOut(BaseModel):
    query: str
    hits: list[Hit]
