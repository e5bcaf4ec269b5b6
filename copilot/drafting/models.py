"""What every drafting task returns: drafts with citations, and everything audit needs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.drafting.prompts import PromptSpec
from copilot.guardrails.models import CheckInput, Task, Verdict
from copilot.llm.backend import ChatPrompt, Usage
from copilot.messages import Text
from copilot.retrieval.models import ExtraSearch, Hit, SearchFilters

Language = Literal["zh", "en"]


class Citation(BaseModel):
    """A passage a draft relies on: its short id, source file and the quoted text."""

    model_config = ConfigDict(extra="forbid")

    id: str
    source: str
    quote: str


class Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = 0.0
    needs_human: bool = False
    verdict: Verdict


class ModelOutput(BaseModel):
    """A model answer that could not become a draft: never shown as one, kept for debugging."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="the model whose answer was rejected")
    reason: str = Field(description="code: empty, truncated, schema_echo, not_json, timeout, …")
    message: Text = Field(description="what went wrong, naming the endpoint and the setting")
    raw: str = Field("", description="the answer, PII-redacted and shortened")


class PromptRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    version: str
    hash: str
    language: Language


class DraftResult(BaseModel):
    """A task's drafts plus what an audit event needs (prompt, backend, sources, fields)."""

    model_config = ConfigDict(extra="forbid")

    task: Task
    drafts: list[Draft]
    backend: str = Field(description="model name, or 模板模式 for the template drafter")
    prompt: PromptRef
    verdict: Verdict = Field(description="the strictest verdict among the drafts")
    sources: list[Citation] = Field(default_factory=list, description="all evidence shown")
    fields_used: list[str] = Field(default_factory=list)
    fields_withheld: list[str] = Field(default_factory=list)
    fields_missing: list[str] = Field(default_factory=list)
    customer_message: str = Field("", description="the customer message after PII redaction")
    notes: list[Text] = Field(default_factory=list, description="what a person should know")
    usage: Usage = Field(default_factory=Usage)
    cost: float | None = Field(None, description="estimated cost in yuan; None if model unpriced")
    latency_ms: float = 0.0
    model_output: ModelOutput | None = Field(
        None, description="the model's unusable answer when the drafts are a labelled fallback"
    )

    @property
    def rejected_reason(self) -> str:
        """For the audit log: why the model's answer was not used ("" when it was)."""
        output = self.model_output
        return f"{output.reason}: {output.message}" if output else ""

    @property
    def rejected_raw(self) -> str:
        """For the audit log: the model's unused answer, PII-redacted ("" when it was used)."""
        return self.model_output.raw if self.model_output else ""


class TaskPlan(BaseModel):
    """What a task module hands the engine: how to retrieve, what to render, what to check."""

    model_config = ConfigDict(extra="forbid")

    task: Task
    language: Language
    query: str
    filters: SearchFilters
    k: int = 5
    searches: list[ExtraSearch] = Field(
        default_factory=list, description="more searches; their new hits follow the main ones"
    )
    variables: dict[str, str] = Field(description="prompt placeholders besides evidence/schema")
    context: dict[str, Any] = Field(description="structured request for the template drafter")
    check: CheckInput = Field(description="guardrail input; text and evidence are filled per draft")
    fields_withheld: list[str] = Field(default_factory=list)
    fields_missing: list[str] = Field(default_factory=list)
    notes: list[Text] = Field(default_factory=list)


class Prepared(BaseModel):
    """A rendered prompt with the evidence it shows, ready for a backend."""

    model_config = ConfigDict(extra="forbid")

    plan: TaskPlan
    spec: PromptSpec
    chat: ChatPrompt
    hits: list[Hit]
    notes: list[Text]
    started: float
