"""The drafting pipeline shared by all tasks.

retrieve → (customer text already redacted) → build the prompt within the token budget →
backend → parse → screen → guardrails → DraftResult. The engine takes its collaborators as
arguments; `copilot.drafting.build_engine` wires them from settings.

Nothing a model sends reaches a person unparsed: when its answer cannot become a draft (not
JSON, the schema echoed, cut off, empty, machine output in the text, a timeout or a broken
stream), the drafts come from the template drafter, labelled 模板模式 · 模型输出无效, and the
answer (PII-redacted) and the reason are kept apart in `DraftResult.model_output`.
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
    ask_tokens,
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
    ModelOutput,
    Prepared,
    PromptRef,
    TaskPlan,
)
from copilot.drafting.outputs import Suggestion
from copilot.drafting.prompts import PromptLibrary, schema_text
from copilot.drafting.reply_evidence import Labels, answer_labels, cites_an_answer, rank_by_answer
from copilot.drafting.screen import screen
from copilot.drafting.stream import DraftStream
from copilot.errors import GuardrailError
from copilot.llm.backend import (
    TEMPLATE_BACKEND,
    Backend,
    Generation,
    Rejection,
    Usage,
)
from copilot.llm.cost import estimate_cost
from copilot.llm.parsing import OutputParseError, parse_structured, strip_reasoning
from copilot.llm.template import TemplateBackend
from copilot.llm.tokens import TokenCounter
from copilot.messages import Msg, Text, join, msg, render
from copilot.retrieval.models import Hit, SearchFilters

NO_EVIDENCE = {"zh": "(没有检索到相关资料)", "en": "(no relevant passage found)"}
FALLBACK_LABEL = f"{TEMPLATE_BACKEND} · 模型输出无效"
# The template drafter's backend labels (stored as they are) as a face shows them.
BACKEND_LABELS: dict[str, Msg] = {
    TEMPLATE_BACKEND: msg(TEMPLATE_BACKEND, "template mode (built-in drafter)"),
    FALLBACK_LABEL: msg(FALLBACK_LABEL, "template mode · the model's output was unusable"),
}


def backend_label(backend: str) -> Text:
    """A draft's backend in the reader's language (a model name stays as it is)."""
    return BACKEND_LABELS.get(backend, backend)


# How much of a rejected answer is kept for debugging (after PII redaction).
KEEP_RAW_CHARS = 4000


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
        answers: Labels = {}
        if plan.task == "reply" and not self.backend.is_template:
            answers = answer_labels(str(plan.context["customer_message"]), hits)
            hits = rank_by_answer(hits, answers)
        spec = self.prompts.get(plan.task, plan.language)
        budget = self.options.context_tokens - self.options.max_output_tokens
        system, user, kept, notes = build_within_budget(
            spec, plan.variables, hits, self.counter, budget, NO_EVIDENCE[plan.language], answers
        )
        query_tokens = ask_tokens(plan.query)
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
                **({"answers": answers[hit.id]} if hit.id in answers else {}),
            }
            for rank, hit in enumerate(kept, start=1)
        ]
        chat = spec.chat(system, user, {**plan.context, "evidence": evidence})
        return Prepared(
            plan=plan, spec=spec, chat=chat, hits=kept, notes=plan.notes + notes, started=started
        )

    def warm_up(self, plan: TaskPlan) -> None:
        """Prepare `plan` and judge the template drafter's answer to it, without asking the
        model: what a draft loads on first use (the knowledge snapshot, the word segmenter, the
        prompt, the guardrails' tables) is loaded once, before drafting threads would each
        build it at the same moment."""
        prepared = self.prepare(plan)
        self.finish(prepared, TemplateBackend().generate(prepared.chat, prepared.spec.schema_model))

    def run(self, plan: TaskPlan) -> DraftResult:
        prepared = self.prepare(plan)
        try:
            generation = self.backend.generate(prepared.chat, prepared.spec.schema_model)
        except OutputParseError as exc:
            generation = self.rejected(prepared, exc)
        return self.finish(prepared, generation)

    def stream(self, plan: TaskPlan) -> DraftStream:
        return DraftStream(self, self.prepare(plan))

    def parse(self, prepared: Prepared, raw: str) -> Generation:
        """A streamed text turned into a Generation (or the labelled fallback)."""
        schema = prepared.spec.schema_model
        try:
            data, repaired = parse_structured(raw, schema, endpoint=self.backend.name)
        except OutputParseError as exc:
            return self.rejected(prepared, exc)
        return Generation(raw=raw, data=data, repaired=repaired)

    def rejected(self, prepared: Prepared, exc: OutputParseError) -> Generation:
        """The template drafter's answer in place of an unusable one, which is kept apart."""
        fallback = TemplateBackend().generate(prepared.chat, prepared.spec.schema_model)
        where = f" ({exc.where})" if exc.where else ""
        hint: list[Text] = [" — ", exc.hint] if exc.hint else []
        message = join([exc.message, where, *hint], "")
        rejection = Rejection(reason=exc.reason, message=message, raw=exc.raw)
        return fallback.model_copy(update={"raw": exc.raw, "rejected": rejection})

    def _screened(
        self, prepared: Prepared, generation: Generation
    ) -> tuple[Generation, list[Text]]:
        """Suggestions that are machine output dropped (none left: the fallback), wrong
        language flagged."""
        if generation.rejected is not None:
            return generation, []
        plan = prepared.plan
        # a suggestion copied from these is no draft: the rules, the schema, the customer's words
        instructions = [prepared.chat.system, schema_text(prepared.spec.schema_model)]
        suggestions = list(generation.data.get("suggestions", []))
        screened = screen(suggestions, plan.language, instructions, plan.check.customer_message)
        if screened.kept:
            update = {"data": {"suggestions": screened.kept}}
            return generation.model_copy(update=update), screened.notes
        copied = all(kind == "copied" for kind in screened.dropped)
        error = OutputParseError(
            msg(
                "模型的建议都照抄了提示词或客户的话",
                "every suggestion copied the prompt or the customer's words",
            )
            if copied
            else msg(
                "模型的建议都不是自然语言", "none of the model's suggestions is natural language"
            ),
            raw=generation.raw,
            reason="copied_prompt" if copied else "not_natural_language",
            hint=msg(
                "换一个能按 JSON 回答的模型,或用 siyu llm check 检查接口",
                "use a model that follows JSON instructions; check the endpoint with "
                "`siyu llm check`",
            ),
        )
        return self.rejected(prepared, error), screened.notes

    def _model_output(self, rejection: Rejection) -> ModelOutput:
        """The rejected answer for debugging: shortened, then PII-redacted (or withheld)."""
        raw = rejection.raw[:KEEP_RAW_CHARS]
        try:
            kept = guard.redact(raw) if raw.strip() else ""
        except GuardrailError:
            kept = render(msg("(无法脱敏,未保存)", "(could not be redacted, not kept)"))
        return ModelOutput(
            model=self.backend.name, reason=rejection.reason, message=rejection.message, raw=kept
        )

    def finish(self, prepared: Prepared, generation: Generation) -> DraftResult:
        plan, notes = prepared.plan, list(prepared.notes)
        generation, screened = self._screened(prepared, generation)
        notes += screened
        model_output = None
        if generation.rejected is not None:
            model_output = self._model_output(generation.rejected)
            notes.append(
                msg(
                    "模型输出无效,已改用模板模式草稿: ",
                    "the model's output was unusable, these are template drafts: ",
                )
                + generation.rejected.message
            )
        sources = {cite_id(hit, rank): hit for rank, hit in enumerate(prepared.hits, start=1)}
        # the model's own reply drafts: P(answers) of the passages they cite
        answers: Labels = {
            str(e["id"]): float(e["answers"])
            for e in prepared.chat.context.get("evidence", [])
            if "answers" in e and generation.rejected is None
        }
        now = self.clock()
        drafts: list[Draft] = []
        for index, raw_item in enumerate(generation.data.get("suggestions", []), start=1):
            item = Suggestion.model_validate(raw_item)
            citations, unknown = resolve_citations(item.citations, sources)
            if unknown:
                notes.append(
                    msg(
                        f"草稿 {index} 引用了不存在的证据 {unknown},已忽略",
                        f"draft {index} cited unknown evidence {unknown}, ignored",
                    )
                )
            needs_human = (
                item.needs_human
                or (plan.task == "reply" and not citations)
                or (bool(answers) and not cites_an_answer([c.id for c in citations], answers))
            )
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
        cost = 0.0 if self.backend.is_template else estimate_cost(model, usage, self.options.prices)
        return DraftResult(
            task=plan.task,
            drafts=drafts,
            backend=FALLBACK_LABEL if model_output else model,
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
            model_output=model_output,
        )

    def _usage(self, prepared: Prepared, generation: Generation) -> Usage:
        """The backend's usage, or our own count when the server reports none (the answer
        only: reasoning the model wrote before it is not counted)."""
        usage = generation.usage
        if self.backend.is_template or usage.cached or usage.input_tokens:
            return usage
        return Usage(
            input_tokens=self.counter.count_messages(prepared.chat.system, prepared.chat.user),
            output_tokens=self.counter.count(strip_reasoning(generation.raw)),
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
