"""Turn a model's text into a validated structured output, repairing what small servers send.

Models behind OpenAI-compatible servers often ignore `response_format`: they wrap JSON in a
```json fence, add prose around it, leave trailing commas, or use single quotes. The parser tries
the strict reading first, then progressively looser ones, and fails with the text it saw.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from copilot.errors import BackendError

# ```json ... ``` or ``` ... ``` anywhere in the text; non-greedy so two fences stay apart.
FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
# A comma directly before a closing bracket, which JSON forbids and models often write.
TRAILING_COMMA = re.compile(r",\s*([}\]])")
SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


class OutputParseError(BackendError):
    """The backend answered, but not with JSON matching the schema; `raw` is what it said."""

    def __init__(self, message: str, *, raw: str, where: str = "", hint: str = "") -> None:
        self.raw = raw
        super().__init__(message, where=where, hint=hint)


def _balanced_objects(text: str) -> list[str]:
    """Every top-level {...} span, respecting strings, in order of appearance."""
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
    return spans


def _candidates(text: str) -> list[tuple[str, bool]]:
    """(candidate JSON text, repaired?) from strictest to loosest."""
    stripped = text.strip()
    found: list[tuple[str, bool]] = [(stripped, False)]
    found += [(block.strip(), True) for block in FENCE.findall(text)]
    found += [(span, True) for span in _balanced_objects(text)]
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


def parse_structured(
    text: str, schema: type[BaseModel], *, endpoint: str = ""
) -> tuple[dict[str, Any], bool]:
    """Validated data for `schema` from model text, and whether a repair was needed."""
    errors: list[str] = []
    for candidate, repaired in _candidates(text):
        data = _load(candidate)
        if not isinstance(data, dict):
            continue
        try:
            return schema.model_validate(data).model_dump(mode="json"), repaired
        except ValidationError as exc:
            errors.append(str(exc.errors(include_url=False)[:3]))
    snippet = text.strip().replace("\n", " ")[:160] or "(空 / empty)"
    detail = f"; 字段错误 / field errors: {errors[0]}" if errors else ""
    raise OutputParseError(
        f"模型返回的内容不是符合 {schema.__name__} 的 JSON / model output is not valid "
        f"{schema.__name__} JSON: «{snippet}»{detail}",
        raw=text,
        where=endpoint,
        hint="换一个支持 JSON 输出的模型,或把 SIYU_LLM_STRUCTURED 设为 text/tool 再试 / "
        "use a model that follows JSON instructions, or try SIYU_LLM_STRUCTURED=text|tool",
    )
