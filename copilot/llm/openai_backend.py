"""OpenAI-compatible chat backend (OpenAI, DeepSeek, Qwen/DashScope, vLLM, Ollama, llama.cpp).

The client runs with `max_retries=0`; this module owns the retry policy (bounded, exponential
backoff, on 429 and 5xx only) so a dead endpoint fails fast with a message naming it. Structured
output asks for a JSON schema (or a tool call); whatever comes back goes through the fallback
parser, because many servers answer with plain or fenced text regardless.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Literal, TypeVar

import httpx
import openai
from langchain_core.messages import AIMessage, BaseMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from copilot.errors import BackendError
from copilot.llm.backend import ChatPrompt, Generation, T, Usage
from copilot.llm.endpoint_errors import explain
from copilot.llm.parsing import OutputParseError, parse_structured

R = TypeVar("R")
StructuredMode = Literal["json_schema", "json_object", "tool", "text"]
# When a server rejects a mode, the next one to try.
FALLBACK: dict[str, StructuredMode] = {
    "json_schema": "json_object",
    "json_object": "text",
    "tool": "text",
    "text": "text",
}
# Words in an error body that mean "this server does not support that request option".
UNSUPPORTED_HINTS = ("response_format", "json_schema", "tool_choice", "tools")
RETRYABLE = (openai.RateLimitError, openai.InternalServerError)
MAX_BACKOFF_S = 8.0


def _schema_format(schema: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {
            "name": schema.__name__,
            "schema": schema.model_json_schema(),
            "strict": False,
        },
    }


def _token_limit(model: str, limit: int) -> dict[str, Any]:
    """Reasoning models take `max_completion_tokens` (langchain maps max_tokens to it); most
    compatible servers (llama.cpp, older vLLM) only read `max_tokens`, so send that as is."""
    if model.lower().startswith(("o1", "o3", "o4", "gpt-5")):
        return {"max_tokens": limit}
    return {"extra_body": {"max_tokens": limit}}


class UnsupportedModeError(Exception):
    """The server refused the structured-output option itself (not the request)."""

    def __init__(self, error: BackendError) -> None:
        self.error = error
        super().__init__(error.message)


def _rejects_output_mode(exc: openai.APIStatusError) -> bool:
    """400/422 (or a 500 from servers that report validation errors that way) naming the
    structured-output option."""
    text = str(exc.message).lower()
    return exc.status_code in (400, 422, 500) and any(hint in text for hint in UNSUPPORTED_HINTS)


class OpenAIBackend:
    """Chat completions through langchain-openai with our retries, errors and parsing."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 2,
        backoff_s: float = 0.5,
        temperature: float = 0.3,
        max_output_tokens: int = 800,
        structured: StructuredMode = "json_schema",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.structured: StructuredMode = structured
        self._sleep = sleep
        self.client = ChatOpenAI(
            base_url=base_url,
            api_key=api_key or "sk-no-key",
            model=model,
            timeout=timeout_s,
            max_retries=0,
            temperature=temperature,
            stream_usage=False,
            **_token_limit(model, max_output_tokens),
        )

    @property
    def name(self) -> str:
        return self.model

    def _delay(self, attempt: int, exc: openai.APIStatusError) -> float:
        retry_after = exc.response.headers.get("retry-after", "") if exc.response else ""
        if retry_after.replace(".", "", 1).isdigit():
            return min(float(retry_after), MAX_BACKOFF_S)
        return min(self.backoff_s * 2**attempt, MAX_BACKOFF_S)

    def _error(self, exc: Exception) -> BackendError:
        retries = self.max_retries if isinstance(exc, RETRYABLE) else 0
        return explain(exc, f"{self.base_url} (model {self.model})", self.timeout_s, retries)

    def _call(self, fn: Callable[[], R]) -> R:
        for attempt in range(self.max_retries + 1):
            try:
                return fn()
            except openai.APIStatusError as exc:
                if _rejects_output_mode(exc):
                    raise UnsupportedModeError(self._error(exc)) from exc
                if not isinstance(exc, RETRYABLE) or attempt == self.max_retries:
                    raise self._error(exc) from exc
                self._sleep(self._delay(attempt, exc))
            except openai.LengthFinishReasonError as exc:
                raise self._cut_off(exc) from exc
            except openai.OpenAIError as exc:
                raise self._error(exc) from exc
        raise AssertionError("unreachable")

    def _cut_off(self, exc: openai.LengthFinishReasonError) -> OutputParseError:
        """The answer hit the output-token limit before its JSON closed."""
        choices = exc.completion.choices
        raw = (choices[0].message.content or "") if choices else ""
        return OutputParseError(
            "模型输出达到长度上限,JSON 不完整 / the answer hit the output-token limit before "
            "its JSON was complete",
            raw=raw,
            where=f"{self.base_url} (model {self.model})",
            hint="调大 SIYU_LLM_MAX_OUTPUT_TOKENS / raise SIYU_LLM_MAX_OUTPUT_TOKENS",
        )

    def _invoke(self, prompt: ChatPrompt, schema: type[BaseModel], mode: StructuredMode) -> Any:
        model: Any = self.client
        if mode == "json_schema":
            model = self.client.bind(response_format=_schema_format(schema))
        elif mode == "json_object":
            model = self.client.bind(response_format={"type": "json_object"})
        elif mode == "tool":
            model = self.client.bind_tools([schema], tool_choice=schema.__name__)
        return self._call(lambda: model.invoke(prompt.messages()))

    def generate(self, prompt: ChatPrompt, schema: type[T]) -> Generation:
        while True:
            try:
                message = self._invoke(prompt, schema, self.structured)
                break
            except UnsupportedModeError as exc:
                # The server rejects this way of asking for JSON: step down and remember it.
                if self.structured == "text":
                    raise exc.error from exc
                self.structured = FALLBACK[self.structured]
        return self._generation(message, schema)

    def _generation(self, message: BaseMessage, schema: type[BaseModel]) -> Generation:
        usage = Usage()
        if isinstance(message, AIMessage) and message.usage_metadata:
            usage = Usage(
                input_tokens=message.usage_metadata["input_tokens"],
                output_tokens=message.usage_metadata["output_tokens"],
            )
        if isinstance(message, AIMessage) and message.tool_calls:
            data = schema.model_validate(message.tool_calls[0]["args"]).model_dump(mode="json")
            return Generation(raw=str(message.tool_calls[0]["args"]), data=data, usage=usage)
        raw = message.content if isinstance(message.content, str) else str(message.content)
        data, repaired = parse_structured(raw, schema, endpoint=self.base_url)
        return Generation(raw=raw, data=data, usage=usage, repaired=repaired)

    def stream(self, prompt: ChatPrompt) -> Iterator[str]:
        """Deltas as they arrive; retries only before the first one, errors name the endpoint.

        A stream that ends without a finish reason was cut off (the endpoint died): that is an
        error, never a silently truncated draft.
        """
        chunks = self._call(lambda: self._open_stream(prompt))
        sent, finished = 0, False
        try:
            for chunk in chunks:
                finished = finished or bool(chunk.response_metadata.get("finish_reason"))
                if isinstance(chunk.content, str) and chunk.content:
                    sent += len(chunk.content)
                    yield chunk.content
        except (openai.OpenAIError, httpx.HTTPError) as exc:
            raise self._broken(sent, exc) from exc
        if not finished:
            raise self._broken(sent, None)

    def _broken(self, sent: int, exc: Exception | None) -> BackendError:
        cause = f": {exc}" if exc else ""
        return BackendError(
            f"模型接口在输出 {sent} 字后中断 / the stream broke after {sent} characters{cause}",
            where=f"{self.base_url} (model {self.model})",
            hint="检查服务是否仍在运行,然后重试 / check the server is still up, then retry",
        )

    def _open_stream(self, prompt: ChatPrompt) -> Iterator[Any]:
        """Start the stream and pull the first chunk, so connection errors surface here."""
        iterator = iter(self.client.stream(prompt.messages()))
        try:
            first = next(iterator)
        except StopIteration:
            return iter(())
        return _prepend(first, iterator)


def _prepend(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest
