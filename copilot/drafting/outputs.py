"""What a backend must return for each prompt: the structured output schemas, by name.

Prompt files name their schema (`output_schema: ReplyOutput`); the builder shows the model its
JSON schema and the backend validates the answer against it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Suggestion(BaseModel):
    """One drafted text and the evidence ids (K1, K2…) it relies on."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="the draft, ready for a person to edit")
    citations: list[str] = Field(default_factory=list, description="evidence ids, e.g. K1")
    confidence: float = Field(0.5, ge=0, le=1)
    needs_human: bool = Field(False, description="true when the evidence does not cover the ask")


class ReplyOutput(BaseModel):
    """1–3 suggested replies to a customer message."""

    model_config = ConfigDict(extra="forbid")

    suggestions: list[Suggestion] = Field(min_length=1, max_length=3)


class PostOutput(BaseModel):
    """One group post (and optionally a variant)."""

    model_config = ConfigDict(extra="forbid")

    suggestions: list[Suggestion] = Field(min_length=1, max_length=2)


class MessageOutput(BaseModel):
    """One personalised 1:1 message."""

    model_config = ConfigDict(extra="forbid")

    suggestions: list[Suggestion] = Field(min_length=1, max_length=2)


class JudgeOutput(BaseModel):
    """An LLM judge's verdict on an answer against a rubric (used by evals' llm_judge)."""

    model_config = ConfigDict(extra="forbid")

    passed: bool
    score: float = Field(ge=0, le=1)
    reason: str


OUTPUT_SCHEMAS: dict[str, type[BaseModel]] = {
    model.__name__: model for model in (ReplyOutput, PostOutput, MessageOutput, JudgeOutput)
}
