"""Reply task: a customer's message (plus the earlier turns of the conversation and optional
order context) → 1–3 cited replies."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from copilot.answering.lexicon import canonical
from copilot.answering.planning import extra_searches
from copilot.drafting import guard
from copilot.drafting.evidence import NOTHING, fence_safe
from copilot.drafting.models import Language, TaskPlan
from copilot.drafting.thread import Turn, render_thread, resolve
from copilot.errors import InputError
from copilot.guardrails.models import CheckInput
from copilot.messages import msg
from copilot.retrieval.models import SearchFilters

MAX_MESSAGE_CHARS = 2000
QUERY_CHARS = 300
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


class ReplyRequest(BaseModel):
    """A customer message to answer."""

    model_config = ConfigDict(extra="forbid")

    message: str
    context: str = Field("", description="order or customer context the agent adds")
    language: Language | None = Field(None, description="reply language; default: detected")
    customer_id: str | None = None
    thread: list[Turn] = Field(
        default_factory=list, description="earlier turns of the conversation, oldest first"
    )
    k: int = Field(5, ge=1, le=10)


def detect_language(text: str, default: Language) -> Language:
    """en when the text is mostly Latin letters with no Chinese, else the default."""
    latin, cjk = len(LATIN.findall(text)), len(CJK.findall(text))
    return "en" if cjk == 0 and latin >= 3 else default


def customer_words(request: ReplyRequest) -> list[str]:
    """The customer's earlier turns, oldest first, then the message: what is redacted together
    (`guard.redact_turns`), so a number sent over two turns (前七位是1382233 / 后四位4455) is
    replaced in both."""
    return [*(turn.text for turn in request.thread if turn.role == "customer"), request.message]


def _redacted_thread(request: ReplyRequest, customer_turns: list[str]) -> list[Turn]:
    """The earlier turns redacted: the customer's as given (redacted with the message), the
    agent's one by one."""
    own = iter(customer_turns)
    thread: list[Turn] = []
    for turn in request.thread:
        text = next(own) if turn.role == "customer" else guard.redact(turn.text)
        if text.strip():
            thread.append(Turn(role=turn.role, text=text.strip()))
    return thread


def plan_reply(
    request: ReplyRequest, redacted: list[str], default_language: Language, today: date
) -> TaskPlan:
    """Validate the message and say how to retrieve, render and check the reply. `redacted` is
    `customer_words(request)` redacted together; its last item is the message."""
    *customer_turns, last = redacted
    message = last.strip()
    if not message:
        raise InputError(
            msg("客户消息为空", "the customer message is empty"),
            where="message",
            hint=msg("粘贴客户的原话后再试", "paste the customer's words and retry"),
        )
    if len(message) > MAX_MESSAGE_CHARS:
        raise InputError(
            msg(
                f"客户消息有 {len(message)} 字,超过 {MAX_MESSAGE_CHARS} 字上限",
                f"the message has {len(message)} characters, more than {MAX_MESSAGE_CHARS}",
            ),
            where="message",
            hint=msg("只保留客户的问题部分再试", "keep only the customer's question and retry"),
        )
    # The customer's own words decide the language: placeholders in the redacted text do not.
    language = request.language or detect_language(request.message, default_language)
    context = guard.redact(request.context.strip())  # order/customer background: redacted too
    thread = _redacted_thread(request, customer_turns)
    question = resolve(message, thread)  # a follow-up (那M码呢) read with the question before it
    notes = (
        [msg(f"结合了之前 {len(thread)} 轮对话", f"drafted with {len(thread)} earlier turns")]
        if thread
        else []
    )
    if question != message:
        notes.append(msg(f"按追问理解为:{question}", f"read as a follow-up: {question}"))
    return TaskPlan(
        task="reply",
        language=language,
        query=canonical(question)[:QUERY_CHARS],
        filters=SearchFilters(on=today),
        k=request.k,
        searches=extra_searches(question, language, today),
        variables={
            "customer_message": fence_safe(message),
            "thread": render_thread(thread, NOTHING[language]),
            "context": fence_safe(context) or NOTHING[language],
            "today": today.isoformat(),
        },
        context={
            "task": "reply",
            "language": language,
            "customer_message": question,
            "order_context": context,
            "today": today.isoformat(),
        },
        check=CheckInput(
            id="reply",
            task="reply",
            text="",
            customer_message=message,
            customer_id=request.customer_id,
        ),
        notes=notes,
    )
