"""The drafting pipeline shared by all tasks.

retrieve → (customer text already redacted) → build the prompt within the token budget →
backend → parse → guardrails → DraftResult. The engine takes its collaborators as arguments;
`copilot.drafting.build_engine` wires them from settings.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from copilot.config import GuardrailSettings
from copilot.drafting import guard
from copilot.drafting.evidence import (
    build_within_budget,
    cite_id,
    is_relevant,
    resolve_citations,
    to_citation,
)
from copilot.drafting.models import (
    Draft,
    DraftResult,
    Language,
    PromptRef,
    TaskPlan,
)
from copilot.drafting.outputs import Suggestion
from copilot.drafting.prompts import PromptLibrary, PromptSpec
from copilot.drafting.stream import DraftStream
from copilot.llm.backend import TEMPLATE_BACKEND, Backend, ChatPrompt, Generation, Usage
from copilot.llm.cost import estimate_cost
from copilot.llm.parsing import OutputParseError, parse_structured
from copilot.llm.tokens import TokenCounter
from copilot.retrieval.models import Hit, SearchFilters
from copilot.retrieval.text import keyword_tokens

NO_EVIDENCE = {"zh": "(没有检索到相关资料)", "en": "(no relevant passage found)"}


class Searcher(Protocol):
    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]: ...


class EngineOptions(BaseModel):
    """Budget, pricing and relevance knobs the engine needs (taken from settings)."""

    model_config = ConfigDict(extra="forbid")

    context_tokens: int = 16000
    max_output_tokens: int = 800
    prices: dict[str, tuple[float, float]] = {}
    min_vector_score: float = 0.55
    min_keyword_vector_score: float = 0.4
    min_heading_coverage: float = 0.8
    language: Language = "zh"


class Prepared(BaseModel):
    """A rendered prompt with the evidence it shows, ready for a backend."""

    model_config = ConfigDict(extra="forbid")

    plan: TaskPlan
    spec: PromptSpec
    chat: ChatPrompt
    hits: list[Hit]
    notes: list[str]
    started: float


class DraftingEngine:
    def __init__(
        self,
        backend: Backend,
        retriever: Searcher,
        prompts: PromptLibrary,
        counter: TokenCounter,
        options: EngineOptions,
        guardrails: GuardrailSettings | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        self.backend = backend
        self.retriever = retriever
        self.prompts = prompts
        self.counter = counter
        self.options = options
        self.guardrails = guardrails
        self.clock = clock

    def today(self) -> date:
        return self.clock().date()

    def prepare(self, plan: TaskPlan) -> Prepared:
        started = time.perf_counter()
        hits = self.retriever.search(plan.query, k=plan.k, filters=plan.filters)
        for extra in plan.searches:
            hits = merge_hits(hits, self.retriever.search(extra.query, extra.k, extra.filters))
        spec = self.prompts.get(plan.task, plan.language)
        budget = self.options.context_tokens - self.options.max_output_tokens
        system, user, kept, notes = build_within_budget(
            spec, plan.variables, hits, self.counter, budget, NO_EVIDENCE[plan.language]
        )
        query_tokens = set(keyword_tokens(plan.query))
        evidence = [
            {
                "id": cite_id(hit, rank),
                "text": hit.text,
                "source": hit.source,
                "doc_type": hit.doc_type,
                "heading": hit.heading,
                "metadata": hit.metadata,
                "relevant": is_relevant(
                    hit,
                    query_tokens,
                    self.options.min_vector_score,
                    self.options.min_keyword_vector_score,
                    self.options.min_heading_coverage,
                ),
            }
            for rank, hit in enumerate(kept, start=1)
        ]
        chat = ChatPrompt(
            prompt_id=spec.id,
            version=spec.version,
            hash=spec.hash,
            system=system,
            user=user,
            context={**plan.context, "evidence": evidence},
        )
        return Prepared(
            plan=plan, spec=spec, chat=chat, hits=kept, notes=plan.notes + notes, started=started
        )

    def run(self, plan: TaskPlan) -> DraftResult:
        prepared = self.prepare(plan)
        try:
            generation = self.backend.generate(prepared.chat, prepared.spec.schema_model)
        except OutputParseError as exc:
            if not exc.raw.strip():
                raise
            generation = self._unstructured(exc.raw)
        return self.finish(prepared, generation)

    def stream(self, plan: TaskPlan) -> DraftStream:
        return DraftStream(self, self.prepare(plan))

    def parse(self, prepared: Prepared, raw: str) -> Generation:
        """A streamed text turned into a Generation (or the plain-text fallback)."""
        schema = prepared.spec.schema_model
        try:
            data, repaired = parse_structured(raw, schema, endpoint=self.backend.name)
        except OutputParseError:
            if not raw.strip():
                raise
            return self._unstructured(raw)
        return Generation(raw=raw, data=data, repaired=repaired)

    @staticmethod
    def _unstructured(raw: str) -> Generation:
        """A server that answered in plain text: keep it as one draft for a person to check."""
        text = raw.strip().strip("`").strip()
        item = Suggestion(text=text, citations=[], confidence=0.1, needs_human=True)
        return Generation(raw=raw, data={"suggestions": [item.model_dump()], "unstructured": True})

    def finish(self, prepared: Prepared, generation: Generation) -> DraftResult:
        plan, notes = prepared.plan, list(prepared.notes)
        if generation.data.get("unstructured"):
            notes.append(
                "模型未返回结构化结果,已作为待人工确认的草稿 / the model returned no "
                "structured output; kept as a draft for a person to check"
            )
        sources = {cite_id(hit, rank): hit for rank, hit in enumerate(prepared.hits, start=1)}
        now = self.clock()
        drafts: list[Draft] = []
        for index, raw_item in enumerate(generation.data.get("suggestions", []), start=1):
            item = Suggestion.model_validate(raw_item)
            citations, unknown = resolve_citations(item.citations, sources)
            if unknown:
                notes.append(
                    f"草稿 {index} 引用了不存在的证据 {unknown},已忽略 / draft {index} "
                    "cited unknown evidence, ignored"
                )
            needs_human = item.needs_human or (plan.task == "reply" and not citations)
            check = plan.check.model_copy(
                update={
                    "id": f"{plan.task}-{index}",
                    "text": item.text,
                    "evidence": [hit.text for hit in prepared.hits],
                }
            )
            drafts.append(
                Draft(
                    text=item.text,
                    citations=citations,
                    confidence=item.confidence,
                    needs_human=needs_human,
                    verdict=guard.judge(check, self.guardrails, now),
                )
            )
        usage = self._usage(prepared, generation)
        model = self.backend.name
        cost = (
            0.0 if model == TEMPLATE_BACKEND else estimate_cost(model, usage, self.options.prices)
        )
        return DraftResult(
            task=plan.task,
            drafts=drafts,
            backend=model,
            prompt=PromptRef(
                id=prepared.spec.id,
                version=prepared.spec.version,
                hash=prepared.spec.hash,
                language=prepared.spec.language,
            ),
            verdict=guard.strictest([draft.verdict for draft in drafts]),
            sources=[to_citation(cid, hit) for cid, hit in sources.items()],
            fields_used=self._fields_used(plan, drafts),
            fields_withheld=plan.fields_withheld,
            fields_missing=plan.fields_missing,
            customer_message=plan.check.customer_message,
            notes=notes,
            usage=usage,
            cost=cost,
            latency_ms=round((time.perf_counter() - prepared.started) * 1000, 2),
        )

    def _usage(self, prepared: Prepared, generation: Generation) -> Usage:
        """The backend's usage, or our own count when the server reports none."""
        usage = generation.usage
        if self.backend.name == TEMPLATE_BACKEND or usage.cached or usage.input_tokens:
            return usage
        return Usage(
            input_tokens=self.counter.count_messages(prepared.chat.system, prepared.chat.user),
            output_tokens=self.counter.count(generation.raw),
        )

    @staticmethod
    def _fields_used(plan: TaskPlan, drafts: list[Draft]) -> list[str]:
        return sorted(
            name
            for name, value in plan.check.fields.items()
            if value and any(_mentions(draft.text, value) for draft in drafts)
        )


def merge_hits(hits: list[Hit], more: list[Hit]) -> list[Hit]:
    """`hits` followed by the passages of `more` not already in them, cited K1, K2… in order."""
    seen = {hit.id for hit in hits}
    merged = hits + [hit for hit in more if hit.id not in seen]
    return [hit.model_copy(update={"citation": f"K{n}"}) for n, hit in enumerate(merged, 1)]


def _mentions(text: str, value: str) -> bool:
    """Whether a field value appears in a draft; a number counts only as a whole number, so an
    order count of 1 is not "used" by 满199减30."""
    if not value.strip().isdigit():
        return value in text
    return re.search(rf"(?<!\d){re.escape(value.strip())}(?!\d)", text) is not None
