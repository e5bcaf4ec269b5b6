"""The backend protocol: a built prompt and an output schema in, a structured result out.

Every backend (OpenAI-compatible, template drafter, fake) takes the same `ChatPrompt`, which
carries both the rendered messages (for models) and the structured context they were rendered
from (for the template drafter), so all paths see the same request, evidence and fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from copilot.messages import Text

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
    response_schema: dict[str, Any] | None = Field(
        None, description="JSON schema a streamed answer is asked to follow (None: plain text)"
    )

    def messages(self) -> list[tuple[str, str]]:
        return [("system", self.system), ("user", self.user)]


class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input_tokens: int = 0
    output_tokens: int = Field(0, description="tokens of the answer, reasoning not included")
    reasoning_tokens: int = Field(0, description="thinking tokens the server reports apart")
    cached: bool = False


class Rejection(BaseModel):
    """Why a model's answer could not be used, and what it was (for debugging only)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="code: empty, truncated, schema_echo, not_json, timeout, …")
    message: Text = Field(description="what went wrong, naming the endpoint and the setting")
    raw: str = ""


class Generation(BaseModel):
    """A backend's answer: the raw text it produced and the parsed structured output."""

    model_config = ConfigDict(extra="forbid")

    raw: str
    data: dict[str, Any]
    usage: Usage = Field(default_factory=Usage)
    repaired: bool = Field(
        False, description="true when the fallback parser had to repair the text"
    )
    rejected: Rejection | None = Field(
        None, description="set when the model's answer was unusable and `data` is a fallback"
    )


@runtime_checkable
class Backend(Protocol):
    """What the drafting engine needs from a language model."""

    @property
    def name(self) -> str:
        """Shown on every draft: the model name, or 模板模式 for the template drafter."""
        ...

    @property
    def is_template(self) -> bool:
        """True for the template drafter: no model, so no tokens, no cost, labelled 模板模式."""
        ...

    @property
    def streams(self) -> bool:
        """True when `stream` sends a model's answer as it is written, to be parsed at the end;
        False when the whole structured answer is better taken from `generate` at once."""
        ...

    def generate(self, prompt: ChatPrompt, schema: type[T]) -> Generation: ...

    def stream(self, prompt: ChatPrompt) -> Iterator[str]:
        """Text deltas as the backend produces them (pass-through, never buffered)."""
        ...
