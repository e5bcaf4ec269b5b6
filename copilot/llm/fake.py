"""A fake backend with queued replies and a call history, for tests, evals and demos."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from copilot.errors import BackendError
from copilot.llm.backend import ChatPrompt, Generation, T, Usage
from copilot.llm.parsing import parse_structured
from copilot.messages import msg

Reply = str | dict[str, Any] | BaseModel | Exception


class FakeBackend:
    """Answers from a queue: text (parsed like a model's), dicts, models, or errors to raise.

    When the queue runs dry it repeats `default` if given, else raises BackendError, so a test
    never silently gets an answer it did not queue.
    """

    is_template = False
    streams = True

    def __init__(
        self,
        replies: list[Reply] | None = None,
        *,
        default: Reply | None = None,
        name: str = "fake",
    ) -> None:
        self.replies: list[Reply] = list(replies or [])
        self.default = default
        self.calls: list[ChatPrompt] = []
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def _next(self, prompt: ChatPrompt) -> Reply:
        self.calls.append(prompt)
        if self.replies:
            return self.replies.pop(0)
        if self.default is not None:
            return self.default
        raise BackendError(
            msg("FakeBackend 没有排队的回复", "FakeBackend has no queued reply"),
            hint=msg("在测试里先调用 queue(...)", "call queue(...) in the test first"),
        )

    def generate(self, prompt: ChatPrompt, schema: type[T]) -> Generation:
        reply = self._next(prompt)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, BaseModel):
            reply = reply.model_dump(mode="json")
        if isinstance(reply, dict):
            data = schema.model_validate(reply).model_dump(mode="json")
            raw, repaired = str(reply), False
        else:
            raw = reply
            data, repaired = parse_structured(reply, schema, endpoint="fake")
        usage = Usage(input_tokens=len(prompt.system) + len(prompt.user), output_tokens=len(raw))
        return Generation(raw=raw, data=data, usage=usage, repaired=repaired)

    def stream(self, prompt: ChatPrompt) -> Iterator[str]:
        reply = self._next(prompt)
        if isinstance(reply, Exception):
            raise reply
        text = reply if isinstance(reply, str) else str(reply)
        for start in range(0, len(text), 8):
            yield text[start : start + 8]
