"""The /v1 application: drafting, checks, PII scanning, search and feedback over a ``Copilot``.

Every draft is recorded in the audit log with the caller's key and the request id; nothing is
ever sent from here (a person decides, and tells us through ``POST /v1/feedback``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from copilot.access.keys import KeyRing
from copilot.access.ratelimit import RateLimiter
from copilot.api import problems
from copilot.api.limits import BodyLimit
from copilot.api.models import (
    Drafts,
    FeedbackIn,
    FeedbackOut,
    MessageIn,
    PiiIn,
    PiiOut,
    PostIn,
    ReplyIn,
    SearchOut,
)
from copilot.api.problems import ApiError, responses
from copilot.api.queue import queue_router
from copilot.api.security import Caller, Checking, Drafting, Feedback, Gate, RequestContext
from copilot.api.wecom_agent import wecom_agent_router
from copilot.app import Copilot
from copilot.drafting import DraftResult, MessageRequest, PostRequest, ReplyRequest
from copilot.drafting.records import record_decision, record_drafts
from copilot.drafting.thread import Turn
from copilot.errors import CopilotError
from copilot.guardrails import CheckInput, Verdict, redact, scan_pii
from copilot.messages import language, msg, render
from copilot.retrieval.models import DocType, SearchFilters
from copilot.store.schema import customers

COMMON = responses(400, 401, 403, 413, 422, 429, 500)
DRAFTING = responses(400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503)
SSE = "text/event-stream"


def build_api(app: Copilot, *, require_keys: bool) -> FastAPI:
    """The /v1 sub-application (mounted by the server); OpenAPI at /v1/openapi.json."""
    s = app.settings.api
    api = FastAPI(
        title="siyu-copilot API",
        version="1",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        description="私域运营 Copilot 的 HTTP API:起草、检查、脱敏、检索与反馈。"
        "Drafting, checks, PII scanning, search and feedback; errors are problem+json.",
    )
    problems.install(api)
    api.add_middleware(RequestContext)
    api.add_middleware(BodyLimit, limit=s.max_body_kb * 1024)
    api.state.gate = Gate(
        lambda: KeyRing(app.db, app.audit),
        RateLimiter(s.rate_per_minute, burst=s.burst),
        required=require_keys,
    )
    api.include_router(queue_router(app))
    api.include_router(wecom_agent_router(app))

    # Drafting is CPU-bound in template mode: a few drafts at a time per process, the others
    # waiting in order, rather than every request's thread queueing on the interpreter lock
    # (which also holds up the audit append, a lock every replica shares). A limiter of the
    # API's own, so it holds under the workbench too, whose Gradio threads are separate.
    drafting = anyio.CapacityLimiter(s.drafting_threads(bool(app.settings.llm.base_url)))

    async def in_turn(work: Callable[[], Response]) -> Response:
        return await anyio.to_thread.run_sync(work, limiter=drafting)

    async def streamed_in_turn(events: Iterator[str]) -> AsyncIterator[str]:
        """A streamed draft's events, drafted on a thread like `in_turn`: its turn is taken
        before the first event and held until the last, as a draft's thread is held until the
        draft is done (the turn's own borrower, so it is given back whichever task closes it)."""
        turn, steps = object(), anyio.CapacityLimiter(1)
        await drafting.acquire_on_behalf_of(turn)
        try:
            while (
                event := await anyio.to_thread.run_sync(next, events, None, limiter=steps)
            ) is not None:
                yield event
        finally:
            drafting.release_on_behalf_of(turn)

    def drafts(result: DraftResult, who: Caller) -> Drafts:
        """`result` recorded, with its draft ids (already valid: not validated again)."""
        ids = record_drafts(app.audit, result, actor=who.actor, request_id=who.request_id)
        fields = {name: getattr(result, name) for name in DraftResult.model_fields}
        return Drafts.model_construct(**fields, draft_ids=ids, request_id=who.request_id)

    def answer(result: DraftResult, who: Caller) -> Response:
        """The recorded drafts as JSON, serialised once (a returned model would be validated
        against the response model and serialised by FastAPI on top)."""
        return Response(drafts(result, who).model_dump_json(), media_type="application/json")

    @api.post("/replies", response_model=Drafts, responses=DRAFTING, tags=["drafting"])
    async def replies(body: ReplyIn, request: Request, who: Drafting) -> Any:
        """1–3 reply suggestions with citations. With ``Accept: text/event-stream`` the reply
        streams as server-sent events: ``delta`` events, then one ``result`` (or ``error``)."""
        reply = ReplyRequest(**{**body.model_dump(), "thread": _recent(body.thread, request)})
        if SSE in request.headers.get("accept", ""):
            events = _stream(reply, who, problems.request_language(request))
            return StreamingResponse(streamed_in_turn(events), media_type=SSE)
        return await in_turn(lambda: answer(app.drafter.reply(reply), who))

    def _recent(thread: list[Turn], request: Request) -> list[Turn]:
        """The turns a reply is drafted from; a longer thread than allowed is a 422."""
        if len(thread) > s.max_thread_turns:
            text = msg(
                f"对话有 {len(thread)} 轮,超过 {s.max_thread_turns} 轮上限",
                f"the thread has {len(thread)} turns, more than {s.max_thread_turns}",
            )
            lang = problems.request_language(request)
            loc = ("body", "thread")
            raise RequestValidationError(
                [{"loc": loc, "msg": render(text, lang), "type": "too_long"}]
            )
        return thread[-s.thread_turns :] if s.thread_turns else []

    def _stream(reply: ReplyRequest, who: Caller, lang: Any) -> Iterator[str]:
        try:
            stream = app.drafter.stream_reply(reply)
            for delta in stream:
                yield _event("delta", {"text": delta})
            yield _event("result", drafts(stream.result(), who).model_dump(mode="json"))
        except CopilotError as exc:
            with language(lang):
                body = {"code": exc.code, **exc.to_dict(lang), "request_id": who.request_id}
            yield _event("error", body)

    @api.post("/posts", response_model=Drafts, responses=DRAFTING, tags=["drafting"])
    async def posts(body: PostIn, who: Drafting) -> Response:
        """A community post, checked against the community's cadence and marketing share."""
        return await in_turn(lambda: _post(body, who))

    def _post(body: PostIn, who: Caller) -> Response:
        members = app.schedule.members(body.community)  # a post naming one with sensitive data
        return answer(app.drafter.post(PostRequest(**body.model_dump(), members=members)), who)

    @api.post("/messages", response_model=Drafts, responses=DRAFTING, tags=["drafting"])
    async def messages(body: MessageIn, who: Drafting) -> Response:
        """A 1:1 message by a playbook; the customer's permitted fields come from the consent
        registry (409 when the customer is excluded right now, with the reason)."""
        return await in_turn(lambda: _message(body, who))

    def _message(body: MessageIn, who: Caller) -> Response:
        books = app.playbooks()
        if body.playbook not in books:
            raise ApiError(404, "playbook_not_found", msg(
                f"没有剧本 {body.playbook},可选:{', '.join(sorted(books))}",
                f"no playbook {body.playbook}; available: {', '.join(sorted(books))}",
            ))  # fmt: skip
        with app.db.begin() as conn:
            known = conn.execute(
                select(customers.c.id).where(customers.c.id == body.customer_id)
            ).first()
        if known is None:
            raise ApiError(404, "customer_not_found", msg("没有这个客户", "no such customer"))
        spec = books[body.playbook]
        drafter, runner = app.campaigns(spec)
        request = runner.request(spec, body.customer_id)
        if isinstance(request, dict):
            raise ApiError(409, request["code"], request["reason"])
        update: dict[str, object] = {"language": body.language}
        if body.brief:
            update["brief"] = body.brief
        return answer(drafter.message(MessageRequest(**{**request.model_dump(), **update})), who)

    @api.post("/check", response_model=Verdict, responses=COMMON, tags=["guardrails"])
    def check(body: CheckInput, who: Checking) -> Verdict:
        """The guardrail verdict on a draft: which rule, which span, how to fix it."""
        return app.check(body)

    @api.post("/pii/scan", response_model=PiiOut, responses=COMMON, tags=["guardrails"])
    def pii_scan(body: PiiIn, who: Checking) -> PiiOut:
        """Personal data in a text, and the text with placeholders instead."""
        return PiiOut(entities=scan_pii(body.text), redacted=redact(body.text, body.language).text)

    @api.get("/search", response_model=SearchOut, responses=COMMON, tags=["knowledge"])
    def search(
        q: Annotated[str, Query(min_length=1, max_length=500)],
        who: Drafting,
        k: Annotated[int, Query(ge=1, le=20)] = 5,
        doc_type: Annotated[list[DocType] | None, Query(alias="type")] = None,
    ) -> SearchOut:
        """Hybrid (vector + keyword) search of the knowledge base."""
        hits = app.retriever.search(q, k=k, filters=SearchFilters(doc_types=doc_type))
        return SearchOut(query=q, hits=hits)

    @api.post("/feedback", response_model=FeedbackOut, responses=DRAFTING, tags=["feedback"])
    def feedback(body: FeedbackIn, who: Feedback) -> FeedbackOut:
        """What the person did with a draft: accepted, edited (with the text sent) or rejected
        (with a reason); recorded in the audit log against the draft id."""
        event = record_decision(app.audit, body.draft_id, body.action, actor=who.actor,
                                text=body.text, reason=body.reason, request_id=who.request_id)  # fmt: skip
        return FeedbackOut(draft_id=body.draft_id, action=body.action, overrode=event.overrode,
                           request_id=who.request_id)  # fmt: skip

    return api


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
