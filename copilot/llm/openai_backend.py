"""OpenAI-compatible chat backend (OpenAI, DeepSeek, Qwen/DashScope, vLLM, Ollama, llama.cpp).

A structured answer is one Chat Completions request built here and sent on the backend's pooled
kept-alive connections (`copilot.llm.connections`; through the openai client where a proxy
applies), its body read once as JSON; streaming goes through langchain-openai. The client runs with
`max_retries=0`; this module owns the retry policy (bounded, exponential
backoff, on 429 and 5xx only) so a dead endpoint fails fast with a message naming it. Structured
output asks for a JSON schema (or a tool call; llama.cpp's JSON mode takes the schema as a
grammar); whatever comes back goes through the fallback parser, because many servers answer with
plain or fenced text regardless. An answer cut at the token limit is asked for once more with
twice the room. A body that is not a chat completion (an HTML error page with status 200, bytes
that are not UTF-8) is an `OutputParseError` naming the endpoint, like any unusable answer.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal, NamedTuple, TypeVar

import httpx
import httpx2
import openai
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from copilot.errors import BackendError
from copilot.llm.backend import ChatPrompt, Generation, T, Usage
from copilot.llm.connections import ConnectionPool, proxied
from copilot.llm.endpoint_errors import explain
from copilot.llm.parsing import TOKEN_LIMIT_HINT, OutputParseError, parse_structured
from copilot.messages import msg

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
# Models whose chat template has no system role: llama-cpp-python's gemma format silently drops
# a system message, so the instructions go at the top of the user message instead.
NO_SYSTEM_ROLE = ("gemma",)
# Reasoning models: the token limit is `max_completion_tokens`; gpt-5 (but gpt-5-chat) takes no
# temperature but 1; o-series models take the instructions as a "developer" message.
REASONING_MODELS = ("o1", "o3", "o4", "gpt-5")
JSON_MODES = ("json_schema", "json_object")  # modes whose answer is JSON by request
O_SERIES = re.compile(r"^o\d")
MAX_BACKOFF_S = 8.0


def _response_format(mode: StructuredMode, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The `response_format` of a request for `schema` in `mode` (None: tools or plain text).

    JSON mode also carries the schema: llama.cpp servers read it and constrain decoding to it,
    others ignore it."""
    if mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {
                "name": schema.get("title", "Output"),
                "schema": schema,
                "strict": False,
            },
        }
    if mode == "json_object":
        return {"type": "json_object", "schema": schema}
    return None


def _is_reasoning(model: str) -> bool:
    return model.lower().startswith(REASONING_MODELS)


def _token_limit(model: str, limit: int) -> dict[str, Any]:
    """The streaming client's token limit: reasoning models take `max_completion_tokens`
    (langchain maps max_tokens to it); most compatible servers (llama.cpp, older vLLM) only read
    `max_tokens`, so send that as is."""
    if _is_reasoning(model):
        return {"max_tokens": limit}
    return {"extra_body": {"max_tokens": limit}}


def _temperature(model: str, temperature: float) -> dict[str, float]:
    """gpt-5 models other than gpt-5-chat accept only their default temperature."""
    lower = model.lower()
    if lower.startswith("gpt-5") and "chat" not in lower and temperature != 1:
        return {}
    return {"temperature": temperature}


@functools.lru_cache(maxsize=32)
def _tool(schema: type[BaseModel]) -> dict[str, Any]:
    return convert_to_openai_tool(schema)


class Answer(NamedTuple):
    """The parts of a chat completion a draft needs, read once from its JSON body."""

    content: str
    tool_args: dict[str, Any] | None  # the first tool call's arguments, when there is one
    finish_reason: str | None
    usage: Usage


def _answer(body: bytes) -> Answer:
    """Read a chat completion's body; anything that is not one raises ValueError, LookupError
    or TypeError (a proxy's HTML page, bytes that are not UTF-8, a body without choices)."""
    data = json.loads(body)
    if data.get("error"):
        raise ValueError(data["error"])
    choice = data["choices"][0]
    message = choice["message"]
    content = message.get("content") or ""
    return Answer(
        content=content if isinstance(content, str) else str(content),
        tool_args=_tool_args(message.get("tool_calls") or []),
        finish_reason=choice.get("finish_reason"),
        usage=_usage(data.get("usage") or {}),
    )


def _tool_args(calls: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The arguments of the first tool call that carries valid JSON ones."""
    for call in calls:
        if "function" not in call:
            continue
        arguments = call["function"].get("arguments")
        try:
            return json.loads(arguments, strict=False) if arguments else {}
        except json.JSONDecodeError:
            continue
    return None


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

    is_template = False
    streams = True

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
        self.max_output_tokens = max_output_tokens
        self.structured: StructuredMode = structured
        self._sleep = sleep
        self._temperature = _temperature(model, temperature)
        self.client = ChatOpenAI(
            base_url=base_url,
            api_key=api_key or "sk-no-key",
            model=model,
            timeout=timeout_s,
            max_retries=0,
            temperature=temperature,
            stream_usage=False,
        )
        self.http: openai.OpenAI = self.client.root_client
        # the structured answers' own kept-alive connections (a proxy is the client's to use)
        self.pool = (
            None
            if proxied(base_url)
            else ConnectionPool(
                base_url,
                timeout_s,
                {
                    "Authorization": f"Bearer {api_key or 'sk-no-key'}",
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "User-Agent": self.http.user_agent,
                },
            )
        )

    @property
    def name(self) -> str:
        return self.model

    @property
    def where(self) -> str:
        return f"{self.base_url} (model {self.model})"

    def _delay(self, attempt: int, exc: openai.APIStatusError) -> float:
        retry_after = exc.response.headers.get("retry-after", "") if exc.response else ""
        if retry_after.replace(".", "", 1).isdigit():
            return min(float(retry_after), MAX_BACKOFF_S)
        return min(self.backoff_s * 2**attempt, MAX_BACKOFF_S)

    def _error(self, exc: Exception, attempts: int = 1) -> BackendError:
        return explain(exc, self.where, self.timeout_s, attempts)

    def _call(self, fn: Callable[[], R]) -> R:
        for attempt in range(self.max_retries + 1):
            try:
                return fn()
            except openai.APIStatusError as exc:
                if _rejects_output_mode(exc):
                    raise UnsupportedModeError(self._error(exc, attempt + 1)) from exc
                if not isinstance(exc, RETRYABLE) or attempt == self.max_retries:
                    raise self._error(exc, attempt + 1) from exc
                self._sleep(self._delay(attempt, exc))
            except openai.OpenAIError as exc:
                raise self._error(exc, attempt + 1) from exc
            except (ValueError, LookupError, AttributeError, TypeError) as exc:
                # The client could not read the body as a chat completion: a proxy's HTML page
                # sent with status 200, an empty body, bytes that are not UTF-8, no choices.
                raise self._not_a_completion(exc) from exc
        raise AssertionError("unreachable")

    def _not_a_completion(self, exc: Exception) -> OutputParseError:
        return OutputParseError(
            msg("接口返回的不是聊天补全结果", "the endpoint did not answer with a chat completion")
            + f": {type(exc).__name__}: {str(exc)[:200]}",
            raw="",
            reason="not_a_completion",
            where=self.where,
            attempts=1,
            hint=msg(
                "确认 SIYU_LLM_BASE_URL 指向 OpenAI 兼容接口(通常以 /v1 结尾),而不是网页或代理错误页",
                "check that SIYU_LLM_BASE_URL points at an OpenAI-compatible API (usually "
                "ending in /v1), not a web page or a proxy's error page",
            ),
        )

    def _cut_off(self, raw: str) -> OutputParseError:
        """The answer hit the output-token limit before its JSON closed."""
        error = OutputParseError(
            msg(
                "模型输出达到长度上限,JSON 不完整",
                "the answer hit the output-token limit before its JSON was complete",
            ),
            raw=raw,
            reason="truncated",
            where=self.where,
            attempts=1,
            hint=TOKEN_LIMIT_HINT,
        )
        error.limit_hit = True
        return error

    def _messages(self, prompt: ChatPrompt) -> list[tuple[str, str]]:
        if any(family in self.model.lower() for family in NO_SYSTEM_ROLE):
            return [("user", f"{prompt.system}\n\n{prompt.user}")]
        return prompt.messages()

    def _body(
        self, prompt: ChatPrompt, schema: type[BaseModel], mode: StructuredMode, limit: int
    ) -> bytes:
        """The request of one structured answer in `mode` with `limit` output tokens."""
        developer = O_SERIES.match(self.model.lower()) is not None
        messages = [
            {"role": "developer" if developer and role == "system" else role, "content": text}
            for role, text in self._messages(prompt)
        ]
        token_field = "max_completion_tokens" if _is_reasoning(self.model) else "max_tokens"
        body: dict[str, Any] = {
            "model": self.model, "stream": False, "messages": messages, **self._temperature,
            token_field: limit,
        }  # fmt: skip
        if mode == "tool":
            body["tools"] = [_tool(schema)]
            body["tool_choice"] = {"type": "function", "function": {"name": schema.__name__}}
        elif response_format := _response_format(mode, _json_schema(schema)):
            body["response_format"] = response_format
        return json.dumps(body, ensure_ascii=False).encode()

    def _complete(self, body: bytes) -> Answer:
        if self.pool is None:
            response = self.http.post("/chat/completions", cast_to=httpx2.Response, content=body)
            return _answer(response.content)
        reply = self.pool.post("/chat/completions", body)
        if reply.status >= 400:  # the openai client's own error for that status and body
            failed = httpx2.Response(
                reply.status,
                headers=reply.headers,
                content=reply.body,
                request=self.pool.request("/chat/completions"),
            )
            raise self.http._make_status_error_from_response(failed)
        return _answer(reply.body)

    def _stepping_down(self, fn: Callable[[StructuredMode], R]) -> R:
        """Call with the current output mode; a server that rejects it gets the next one."""
        while True:
            try:
                return fn(self.structured)
            except UnsupportedModeError as exc:
                if self.structured == "text":
                    raise exc.error from exc
                self.structured = FALLBACK[self.structured]

    def generate(self, prompt: ChatPrompt, schema: type[T]) -> Generation:
        """One structured answer; an answer cut at the token limit is retried once with twice
        the room before it counts as unusable."""
        limit = self.max_output_tokens
        for attempt in range(2):
            try:
                return self._generation(self._ask(prompt, schema, limit), schema)
            except OutputParseError as exc:
                if not exc.limit_hit or attempt:
                    raise
                limit *= 2
        raise AssertionError("unreachable")

    def _ask(self, prompt: ChatPrompt, schema: type[BaseModel], limit: int) -> Answer:
        def ask(mode: StructuredMode) -> Answer:
            answer = self._call(lambda: self._complete(self._body(prompt, schema, mode, limit)))
            if mode in JSON_MODES:  # a cut-off answer cannot be the JSON asked for
                if answer.finish_reason == "length":
                    raise self._cut_off(answer.content)
                if answer.finish_reason == "content_filter":
                    raise self._error(openai.ContentFilterFinishReasonError())
            return answer

        return self._stepping_down(ask)

    def _generation(self, answer: Answer, schema: type[BaseModel]) -> Generation:
        if answer.tool_args is not None:
            raw = json.dumps(answer.tool_args, ensure_ascii=False)
            data, repaired = parse_structured(raw, schema, endpoint=self.where)
            return Generation(raw=raw, data=data, usage=answer.usage, repaired=repaired)
        try:
            data, repaired = parse_structured(answer.content, schema, endpoint=self.where)
        except OutputParseError as exc:
            if answer.finish_reason == "length":
                exc.reason, exc.limit_hit = "truncated", True
            raise
        return Generation(raw=answer.content, data=data, usage=answer.usage, repaired=repaired)

    def stream(self, prompt: ChatPrompt) -> Iterator[str]:
        """Deltas as they arrive; retries only before the first one, errors name the endpoint.

        A prompt with a response schema streams the same JSON output `generate` asks for (tool
        mode streams plain text). A stream that ends without a finish reason was cut off (the endpoint
        died), and one that stalls longer than the timeout hangs: both are errors, never a
        silently truncated draft.
        """
        chunks = self._stepping_down(
            lambda mode: self._call(lambda: self._open_stream(prompt, mode))
        )
        sent, finished = 0, False
        try:
            for chunk in chunks:
                finished = finished or bool(chunk.response_metadata.get("finish_reason"))
                if isinstance(chunk.content, str) and chunk.content:
                    sent += len(chunk.content)
                    yield chunk.content
        except (openai.OpenAIError, httpx.HTTPError, httpx2.HTTPError, ValueError) as exc:
            # ValueError: the client could not assemble the streamed completion
            raise self._broken(sent, exc) from exc
        if not finished:
            raise self._broken(sent, None)

    def _broken(self, sent: int, exc: Exception | None) -> OutputParseError:
        stalled = isinstance(
            exc, httpx.TimeoutException | httpx2.TimeoutException | openai.APITimeoutError
        )
        cause = f": {type(exc).__name__} {exc}" if exc else ""
        if stalled:
            return OutputParseError(
                msg(
                    f"模型接口在输出 {sent} 字后 {self.timeout_s:g} 秒无响应",
                    f"the stream stalled for {self.timeout_s:g}s after {sent} characters",
                ),
                raw="",
                reason="timeout",
                where=self.where,
                attempts=1,
                hint=msg(
                    "检查服务负载,或调大 SIYU_LLM_TIMEOUT_S",
                    "check the server load or raise SIYU_LLM_TIMEOUT_S",
                ),
            )
        return OutputParseError(
            msg(f"模型接口在输出 {sent} 字后中断", f"the stream broke after {sent} characters")
            + cause,
            raw="",
            reason="stream_broken",
            where=self.where,
            attempts=1,
            hint=msg(
                "检查服务是否仍在运行 (SIYU_LLM_BASE_URL),然后重试",
                "check the server at SIYU_LLM_BASE_URL is still up, then retry",
            ),
        )

    def _open_stream(self, prompt: ChatPrompt, mode: StructuredMode) -> Iterator[Any]:
        """Start the stream and pull the first chunk, so connection errors surface here."""
        model: Any = self.client.bind(**_token_limit(self.model, self.max_output_tokens))
        response_format = _response_format(mode, prompt.response_schema or {})
        if prompt.response_schema and response_format:
            model = model.bind(response_format=response_format)
        iterator = iter(model.stream(self._messages(prompt)))
        try:
            first = next(iterator)
        except StopIteration:
            return iter(())
        return _prepend(first, iterator)


@functools.lru_cache(maxsize=32)
def _json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    return schema.model_json_schema()


def _usage(usage: dict[str, Any]) -> Usage:
    """Tokens the server reports; reasoning tokens it counts apart stay out of output_tokens."""
    details = usage.get("completion_tokens_details") or {}
    reasoning = int(details.get("reasoning_tokens") or 0)
    return Usage(
        input_tokens=int(usage.get("prompt_tokens") or 0),
        output_tokens=max(0, int(usage.get("completion_tokens") or 0) - reasoning),
        reasoning_tokens=reasoning,
    )


def _prepend(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest
