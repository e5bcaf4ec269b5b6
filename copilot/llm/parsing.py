"""Turn a model's text into a validated structured output, repairing what small servers send.

Models behind OpenAI-compatible servers often ignore `response_format`: they think aloud in
``<think>…</think>`` first, wrap JSON in a ```json fence, add prose around it, leave trailing
commas, use single quotes, echo the JSON schema they were shown, or stop mid-JSON at the token
limit. The parser drops reasoning, tries the strict reading first, then progressively looser ones,
and otherwise fails with the text it saw and a reason code saying what was wrong.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from copilot.errors import BackendError, field_problems
from copilot.messages import Msg, Text, msg

# ```json ... ``` or ``` ... ``` anywhere in the text; non-greedy so two fences stay apart.
FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
# A comma directly before a closing bracket, which JSON forbids and models often write.
TRAILING_COMMA = re.compile(r",\s*([}\]])")
SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
# Reasoning models think before answering; an unclosed block means the answer never came.
THINK = re.compile(r"<(think|thinking|reasoning)>.*?(?:</\1>|$)", re.DOTALL | re.IGNORECASE)
# Keys of a JSON schema (what a model echoes when it copies the schema it was shown).
SCHEMA_KEYS = frozenset({"$defs", "$schema", "$ref", "properties", "additionalProperties"})
# Longer answers are not drafts: a runaway model or an endpoint sending something else.
MAX_ANSWER_CHARS = 20_000
SETTING_HINT = msg(
    "换一个能按 JSON 回答的模型,或调整 SIYU_LLM_STRUCTURED (json_schema|json_object|tool|text);"
    "用 siyu llm check 查看接口支持什么",
    "use a model that follows JSON instructions or change SIYU_LLM_STRUCTURED "
    "(json_schema|json_object|tool|text); run `siyu llm check` to see what the endpoint supports",
)
TOKEN_LIMIT_HINT = msg("调大 SIYU_LLM_MAX_OUTPUT_TOKENS", "raise SIYU_LLM_MAX_OUTPUT_TOKENS")

Reason = Literal[
    "empty",
    "too_long",
    "truncated",
    "schema_echo",
    "not_json",
    "invalid_fields",
    "not_natural_language",
    "copied_prompt",
    "not_a_completion",
    "timeout",
    "stream_broken",
]


class OutputParseError(BackendError):
    """The backend answered, but not with a usable draft; `raw` is what it said and `reason` a
    code for what was wrong with it (kept for debugging, never shown as a draft). `limit_hit`
    says the server stopped at the output-token limit, so more room may help. `where` names the
    endpoint (and model)."""

    def __init__(
        self,
        message: Text,
        *,
        raw: str,
        reason: Reason = "not_json",
        where: str = "",
        hint: Text = "",
        attempts: int = 0,
    ) -> None:
        self.raw = raw
        self.reason: Reason = reason
        self.limit_hit = False
        super().__init__(message, hint=hint, endpoint=where, attempts=attempts)


def strip_reasoning(text: str) -> str:
    """The answer without ``<think>…</think>`` blocks (an unclosed one swallows the rest)."""
    return THINK.sub("", text).strip()


def _balanced_objects(text: str) -> tuple[list[str], bool]:
    """Every top-level {...} span, respecting strings, in order; and whether one never closed."""
    spans: list[str] = []
    depth, start, in_string, escaped = 0, -1, False, False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                spans.append(text[start : index + 1])
    return spans, depth > 0


def _candidates(text: str, spans: list[str]) -> list[tuple[str, bool]]:
    """(candidate JSON text, repaired?) from strictest to loosest."""
    found: list[tuple[str, bool]] = [(text, False)]
    found += [(block.strip(), True) for block in FENCE.findall(text)]
    found += [(span, True) for span in spans]
    loose = []
    for candidate, _ in found:
        fixed = TRAILING_COMMA.sub(r"\1", candidate.translate(SMART_QUOTES))
        if "'" in fixed and '"' not in fixed:
            fixed = fixed.replace("'", '"')
        loose.append((fixed, True))
    return found + loose


def _load(candidate: str) -> Any:
    try:
        return json.loads(candidate)
    except json.JSONDecodeError:
        return None


def _is_schema(data: dict[str, Any]) -> bool:
    return bool(SCHEMA_KEYS & data.keys()) or (
        data.get("type") == "object" and "suggestions" not in data
    )


def _failure(
    raw: str, schema: str, reason: Reason, detail: Text, endpoint: str
) -> OutputParseError:
    what: Msg = {
        "empty": msg("模型返回了空内容", "the model returned nothing"),
        "too_long": msg(
            f"模型输出超过 {MAX_ANSWER_CHARS} 字,不像一条草稿",
            f"the model output is longer than {MAX_ANSWER_CHARS} characters, not a draft",
        ),
        "truncated": msg(
            "模型输出在 JSON 结束前被截断", "the model output stops before its JSON ends"
        ),
        "schema_echo": msg(
            "模型照抄了 JSON Schema,而不是按它作答",
            "the model echoed the JSON schema instead of answering with it",
        ),
        "not_json": msg(
            f"模型返回的内容不是 {schema} JSON", f"the model output is not {schema} JSON"
        ),
        "invalid_fields": msg(
            f"模型返回的 JSON 不符合 {schema}", f"the model's JSON does not match {schema}"
        ),
    }[reason]
    snippet = raw.strip().replace("\n", " ")[:160] or msg("(空)", "(empty)")
    hint = TOKEN_LIMIT_HINT if reason == "truncated" else SETTING_HINT
    return OutputParseError(
        what + ": «" + snippet + "»" + detail, raw=raw, reason=reason, where=endpoint, hint=hint
    )


def parse_structured(
    text: str, schema: type[BaseModel], *, endpoint: str = ""
) -> tuple[dict[str, Any], bool]:
    """Validated data for `schema` from model text, and whether a repair was needed."""
    answer = strip_reasoning(text)
    name = schema.__name__
    if not answer:
        raise _failure(text, name, "empty", "", endpoint)
    if len(answer) > MAX_ANSWER_CHARS:
        raise _failure(text, name, "too_long", "", endpoint)
    spans, unclosed = _balanced_objects(answer)
    errors: list[str] = []
    echoed = False
    for candidate, repaired in _candidates(answer, spans):
        data = _load(candidate)
        if not isinstance(data, dict):
            continue
        try:
            return schema.model_validate(data).model_dump(mode="json"), repaired or answer != text
        except ValidationError as exc:
            echoed = echoed or _is_schema(data)
            errors.append(field_problems(exc))
    if echoed:
        raise _failure(text, name, "schema_echo", "", endpoint)
    if errors:
        detail = msg(f"; 字段错误: {errors[0]}", f"; field errors: {errors[0]}")
        raise _failure(text, name, "invalid_fields", detail, endpoint)
    raise _failure(text, name, "truncated" if unclosed else "not_json", "", endpoint)
