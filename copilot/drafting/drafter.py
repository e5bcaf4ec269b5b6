"""The drafting entry point for the CLI, UI, campaigns and evals: one object, three tasks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from copilot.config import Settings
from copilot.drafting import guard
from copilot.drafting.engine import DraftingEngine, DraftStream, EngineOptions, Searcher
from copilot.drafting.message import MessageRequest, plan_message
from copilot.drafting.models import DraftResult, Language, Prepared, TaskPlan
from copilot.drafting.post import PostRequest, plan_post
from copilot.drafting.prompts import PromptLibrary
from copilot.drafting.reply import ReplyRequest, customer_words, plan_reply
from copilot.llm.backend import Backend
from copilot.llm.factory import backend_from_settings
from copilot.llm.tokens import TokenCounter


class Drafter:
    """Drafts replies, posts and 1:1 messages; never sends anything."""

    def __init__(self, engine: DraftingEngine) -> None:
        self.engine = engine

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        backend: Backend | None = None,
        retriever: Searcher | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> Drafter:
        if retriever is None:
            from copilot.retrieval import Retriever

            retriever = Retriever.from_settings(settings)
        options = EngineOptions(
            context_tokens=settings.llm.context_tokens,
            max_output_tokens=settings.llm.max_output_tokens,
            prices=settings.llm.prices,
            language=settings.language,
        )
        engine = DraftingEngine(
            backend=backend or backend_from_settings(settings),
            retriever=retriever,
            prompts=PromptLibrary(settings.prompts_dir),
            counter=TokenCounter(settings.llm.model, settings.cache_dir),
            options=options,
            guardrails=settings.guardrails,
            clock=clock or (lambda: datetime.now(ZoneInfo(settings.timezone))),
        )
        return cls(engine)

    def _language(self) -> Language:
        return self.engine.options.language

    def on(self, day: date | None) -> Drafter:
        """This drafter with its calendar on `day` (the time of day stays the clock's): dated
        promotions, coupons and birthdays are read as on that day. None: this drafter."""
        if day is None:
            return self
        engine = copy.copy(self.engine)
        clock = self.engine.clock
        engine.clock = lambda: datetime.combine(day, clock().timetz())
        return Drafter(engine)

    def plan(self, request: ReplyRequest | PostRequest | MessageRequest) -> TaskPlan:
        """How the request will be retrieved, rendered and checked, without drafting."""
        if isinstance(request, ReplyRequest):
            return self.plan_reply(request)
        if isinstance(request, PostRequest):
            return plan_post(request, self._language(), self.engine.today())
        return plan_message(request, self._language(), self.engine.today())

    def prepare(self, request: ReplyRequest | PostRequest | MessageRequest) -> Prepared:
        """The request planned and its prompt built (searches run, evidence chosen), without
        drafting: what a first draft would load is loaded, the prompt can be measured."""
        return self.engine.prepare(self.plan(request))

    def warm_up(self, request: ReplyRequest | PostRequest | MessageRequest) -> None:
        """Load what drafting the request reads on first use, guardrails included, without
        asking the model (see `DraftingEngine.warm_up`)."""
        self.engine.warm_up(self.plan(request))

    def plan_reply(self, request: ReplyRequest) -> TaskPlan:
        redacted = guard.redact_turns(customer_words(request))
        return plan_reply(request, redacted, self._language(), self.engine.today())

    def reply(self, request: ReplyRequest) -> DraftResult:
        return self.engine.run(self.plan_reply(request))

    def stream_reply(self, request: ReplyRequest) -> DraftStream:
        return self.engine.stream(self.plan_reply(request))

    def post(self, request: PostRequest) -> DraftResult:
        return self.engine.run(self.plan(request))

    def message(self, request: MessageRequest) -> DraftResult:
        return self.engine.run(self.plan(request))
