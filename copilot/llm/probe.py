"""Probe an OpenAI-compatible endpoint: what it supports, how fast it is, what to configure.

`check_endpoint` runs small requests within one time budget: the model list (and a context
length if the server reports one), plain text, streaming (first-token and full latency), JSON
schema, JSON mode, tool calls, and finally a tiny grounded reply through the real drafting
engine and guardrails. Each probe gets what is left of the budget as its timeout; a probe that
no longer fits is reported as skipped. The result recommends settings (SIYU_LLM_*).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any, Literal

import openai
from pydantic import BaseModel, ConfigDict, Field

from copilot.llm.endpoint_errors import explain
from copilot.llm.openai_backend import StructuredMode
from copilot.llm.parsing import strip_reasoning
from copilot.messages import Msg, Text, msg, render

Status = Literal["ok", "fail", "skipped"]
# Every model id key servers use for the context window in /v1/models entries.
CONTEXT_KEYS = ("context_length", "max_model_len", "context_window", "n_ctx", "max_context_length")
MIN_PROBE_S = 1.0
ENGINE_S = 2.0  # retrieval, prompt building and guardrails around the grounded reply
TINY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string"}},
    "required": ["answer"],
}
ASK = "用一个词回答:天空是什么颜色?/ Answer in one word: what colour is the sky?"
ASK_JSON = ASK + ' 只输出 JSON {"answer": "..."} / output only JSON {"answer": "..."}'
OUT_OF_TIME = msg("时间预算已用完", "out of time budget")


class Probe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    status: Status
    detail: Text = ""
    latency_ms: float | None = None


class CheckReport(BaseModel):
    """What `siyu llm check` prints (and emits with --json)."""

    model_config = ConfigDict(extra="forbid")

    endpoint: str
    model: str
    reachable: bool
    models: list[str] = Field(default_factory=list)
    context_length: int | None = None
    first_token_ms: float | None = None
    full_ms: float | None = None
    probes: list[Probe] = Field(default_factory=list)
    recommended: dict[str, Text] = Field(default_factory=dict)
    problems: list[Text] = Field(default_factory=list)
    elapsed_s: float = 0.0

    def status(self, name: str) -> Status:
        return next((p.status for p in self.probes if p.name == name), "skipped")


GroundedReply = Callable[[StructuredMode, float], Probe]


class Budget:
    """Seconds left of one overall time budget."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


def check_endpoint(
    *,
    base_url: str,
    model: str,
    api_key: str | None,
    budget_s: float,
    probe_timeout_s: float,
    grounded_reply: GroundedReply,
) -> CheckReport:
    """Probe the endpoint; `grounded_reply(structured_mode, timeout_s)` drafts a tiny cited
    reply through the real engine and says whether it parses, cites and passes guardrails."""
    started = time.monotonic()
    budget = Budget(budget_s)
    report = CheckReport(endpoint=base_url, model=model, reachable=False)

    def client(cap: float) -> openai.OpenAI:
        timeout = max(MIN_PROBE_S, min(budget.left(), cap))
        return openai.OpenAI(
            base_url=base_url, api_key=api_key or "sk-no-key", timeout=timeout, max_retries=0
        )

    where = f"{base_url} (model {model})"
    models = _timed("models", lambda: client(probe_timeout_s).models.list())
    if models.status == "fail":
        report.probes.append(models.probe)
        report.problems.append(models.probe.detail)
        report.elapsed_s = round(time.monotonic() - started, 2)
        return report
    report.reachable = True
    listed = list(models.value.data) if models.value is not None else []
    report.models = [entry.id for entry in listed]
    report.context_length = _context_length(listed, model)
    detail = ", ".join(report.models) or "(none listed)"
    if report.models and model not in report.models:
        report.problems.append(
            msg(
                f"SIYU_LLM_MODEL={model} 不在接口的模型列表中: {detail}",
                f"SIYU_LLM_MODEL={model} is not among the listed models: {detail}",
            )
        )
    report.probes.append(Probe(name="models", status="ok", detail=detail, latency_ms=models.ms))

    def chat(name: str, check: Callable[[Any], Text | None], **options: Any) -> Probe:
        if budget.left() < MIN_PROBE_S:
            return Probe(name=name, status="skipped", detail=OUT_OF_TIME)
        messages: Any = [{"role": "user", "content": ASK_JSON if name.startswith("json") else ASK}]
        outcome = _timed(
            name,
            lambda: client(probe_timeout_s).chat.completions.create(
                model=model, messages=messages, max_tokens=32, temperature=0, **options
            ),
            where=where,
            timeout_s=probe_timeout_s,
        )
        if outcome.status == "fail":
            return outcome.probe
        problem = check(outcome.value)
        return Probe(
            name=name,
            status="fail" if problem else "ok",
            detail=problem or _content(outcome.value)[:60],
            latency_ms=outcome.ms,
        )

    report.probes.append(chat("text", _has_text))
    report.probes.append(_stream(client(probe_timeout_s), model, budget, report))
    json_format = {"type": "json_schema", "json_schema": {"name": "Answer", "schema": TINY_SCHEMA}}
    report.probes.append(chat("json_schema", _is_answer_json, response_format=json_format))
    report.probes.append(
        chat(
            "json_object",
            _is_answer_json,
            response_format={"type": "json_object", "schema": TINY_SCHEMA},
        )
    )
    mode = recommended_mode(report)
    if budget.left() < MIN_PROBE_S:
        grounded = Probe(name="grounded_reply", status="skipped", detail=OUT_OF_TIME)
    else:
        # half of what is left (less the engine's own work): a cut-off answer is asked twice
        grounded = grounded_reply(mode, max(MIN_PROBE_S, (budget.left() - ENGINE_S) / 2))
    report.probes.append(grounded)
    tool = {
        "type": "function",
        "function": {"name": "answer", "description": "the answer", "parameters": TINY_SCHEMA},
    }
    report.probes.append(
        chat(
            "tools",
            _has_tool_call,
            tools=[tool],
            tool_choice={"type": "function", "function": {"name": "answer"}},
        )
    )
    report.recommended = _recommend(report, recommended_mode(report), grounded)
    if grounded.status != "ok":
        report.problems.append(
            msg("小型带引用回复未通过", "the tiny grounded reply did not pass")
            + ": "
            + grounded.detail
        )
    report.elapsed_s = round(time.monotonic() - started, 2)
    return report


class _Outcome(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    status: Status
    value: Any = None
    ms: float
    probe: Probe


def _timed(
    name: str, call: Callable[[], Any], *, where: str = "", timeout_s: float = 0.0
) -> _Outcome:
    started = time.perf_counter()
    try:
        value = call()
    except openai.OpenAIError as exc:
        ms = round((time.perf_counter() - started) * 1000, 1)
        error = explain(exc, where or name, timeout_s, 1)
        detail = _short(error.message)
        if isinstance(exc, openai.APIStatusError) and exc.status_code in (400, 422, 500):
            detail = msg("不支持", "not supported") + f" (HTTP {exc.status_code}): " + detail
        return _Outcome(
            status="fail",
            ms=ms,
            probe=Probe(name=name, status="fail", detail=detail, latency_ms=ms),
        )
    except (ValueError, AttributeError, TypeError) as exc:  # not an OpenAI-style body
        ms = round((time.perf_counter() - started) * 1000, 1)
        not_openai = msg("接口返回的不是 OpenAI 格式", "not an OpenAI-style answer")
        return _Outcome(
            status="fail",
            ms=ms,
            probe=Probe(
                name=name,
                status="fail",
                detail=not_openai + f": {type(exc).__name__}",
                latency_ms=ms,
            ),
        )
    ms = round((time.perf_counter() - started) * 1000, 1)
    return _Outcome(status="ok", value=value, ms=ms, probe=Probe(name=name, status="ok"))


def _short(text: Text, limit: int = 100) -> Text:
    """The first line of `text` (in each language), cut at `limit` characters."""
    if isinstance(text, Msg):
        return msg(_first_line(text.zh, limit), _first_line(text.en, limit))
    return _first_line(text, limit)


def _first_line(text: str, limit: int) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[:limit] + "…"


def _has_text(response: Any) -> Text | None:
    return None if _content(response).strip() else msg("空回答", "empty answer")


def _content(response: Any) -> str:
    choices = getattr(response, "choices", None) or []
    return (choices[0].message.content or "") if choices else ""


def _is_answer_json(response: Any) -> Text | None:
    text = strip_reasoning(_content(response))
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return msg("不是 JSON", "not JSON") + f": {text[:60]!r}"
    if not isinstance(data, dict) or not isinstance(data.get("answer"), str):
        return (
            msg("JSON 里没有 answer 字符串", "JSON without an answer string") + f": {text[:60]!r}"
        )
    return None


def _has_tool_call(response: Any) -> Text | None:
    choices = getattr(response, "choices", None) or []
    calls = choices[0].message.tool_calls if choices else None
    return None if calls else msg("回答里没有工具调用", "no tool call in the answer")


def _stream(client: openai.OpenAI, model: str, budget: Budget, report: CheckReport) -> Probe:
    if budget.left() < MIN_PROBE_S:
        return Probe(name="stream", status="skipped", detail=OUT_OF_TIME)
    started = time.perf_counter()
    first: float | None = None
    text = ""
    try:
        chunks = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": ASK}],
            max_tokens=32,
            temperature=0,
            stream=True,
        )
        for chunk in chunks:
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                first = first or time.perf_counter()
                text += delta
    except (openai.OpenAIError, ValueError) as exc:
        failed = msg("流式输出失败", "streaming failed")
        return Probe(
            name="stream",
            status="fail",
            detail=failed + f": {type(exc).__name__}: {str(exc)[:120]}",
        )
    full = round((time.perf_counter() - started) * 1000, 1)
    if first is None:
        return Probe(
            name="stream", status="fail", detail=msg("没有收到内容", "no content streamed")
        )
    report.first_token_ms = round((first - started) * 1000, 1)
    report.full_ms = full
    first_ms = f" {report.first_token_ms:.0f} ms: {text[:40]!r}"
    return Probe(
        name="stream", status="ok", detail=msg("首字", "first token") + first_ms, latency_ms=full
    )


def _context_length(entries: list[Any], model: str) -> int | None:
    for entry in sorted(entries, key=lambda e: e.id != model):
        extra = {**(getattr(entry, "model_extra", None) or {})}
        extra.update(extra.get("meta") or {} if isinstance(extra.get("meta"), dict) else {})
        for key in CONTEXT_KEYS:
            value = extra.get(key)
            if isinstance(value, int) and value > 0:
                return value
    return None


def recommended_mode(report: CheckReport) -> StructuredMode:
    """The strictest structured-output mode the endpoint handled."""
    if report.status("json_schema") == "ok":
        return "json_schema"
    if report.status("json_object") == "ok":
        return "json_object"
    if report.status("tools") == "ok":
        return "tool"
    return "text"


def _recommend(report: CheckReport, mode: str, grounded: Probe) -> dict[str, Text]:
    slowest = max((p.latency_ms or 0.0 for p in report.probes), default=0.0)
    timeout_s = max(10, math.ceil(slowest / 1000 * 3))
    timed_out = grounded.status == "fail" and "timeout" in render(grounded.detail, "en")
    if timed_out:
        timeout_s = max(60, timeout_s * 2)
    settings: dict[str, Text] = {"SIYU_LLM_STRUCTURED": mode, "SIYU_LLM_TIMEOUT_S": str(timeout_s)}
    if report.context_length:
        settings["SIYU_LLM_CONTEXT_TOKENS"] = str(report.context_length)
    if grounded.status == "fail" and not timed_out:
        settings["SIYU_LLM_BASE_URL"] = msg("(不设置 → 模板模式)", "(unset → template drafter)")
    return settings
