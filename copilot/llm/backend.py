"""The backend protocol: a built prompt and an output schema in, a structured result out.

Every backend (OpenAI-compatible, template drafter, fake) takes the same `ChatPrompt`, which
carries both the rendered messages (for models) and the structured context they were rendered
from (for the template drafter), so all paths see the same request, evidence and fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T", bound=BaseModel)

TEMPLATE_BACKEND = "模板模式"


class ChatPrompt(BaseModel):
    """A rendered prompt: system + user messages plus what they were rendered from."""

    model_config = ConfigDict(extra="forbid")

    prompt_id: str
    version: str
    hash: str
    system: str
    user: str
    context: dict[str, Any] = Field(
        default_factory=dict, description="task, request, evidence and fields the prompt shows"
    )

    def messages(self) -> list[tuple[str, str]]:
        return [("system", self.system), ("user", self.user)]


class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input_tokens: int = 0
    output_tokens: int = 0
    cached: bool = False


class Generation(BaseModel):
    """A backend's answer: the raw text it produced and the parsed structured output."""

    model_config = ConfigDict(extra="forbid")

    raw: str
    data: dict[str, Any]
    usage: Usage = Field(default_factory=Usage)
    repaired: bool = Field(
        False, description="true when the fallback parser had to repair the text"
    )


@runtime_checkable
class Backend(Protocol):
    """What the drafting engine needs from a language model."""

    @property
    def name(self) -> str:
        """Shown on every draft: the model name, or 模板模式 for the template drafter."""
        ...

    def generate(self, prompt: ChatPrompt, schema: type[T]) -> Generation: ...

    def stream(self, prompt: ChatPrompt) -> Iterator[str]:
        """Text deltas as the backend produces them (pass-through, never buffered)."""
        ...
