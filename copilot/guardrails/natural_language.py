"""The `natural_language` rule: a draft is prose for a person, never machine output.

A model that cannot follow the output format sends JSON, the JSON schema it was shown, a
Markdown code fence, the prompt's own markup (``<customer_message>``), source code, an HTML page
or its ``<think>`` reasoning. None of that may
reach a customer or a group, so the rule blocks it and names the span. The drafting engine uses
the same test to fall back to the template drafter before a person ever sees such text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from copilot.guardrails.context import RuleContext
from copilot.guardrails.models import CheckInput, Finding
from copilot.messages import Text, msg, render

# (kind, pattern, what it is): the first match decides.
MARKERS: tuple[tuple[str, re.Pattern[str], Text], ...] = (
    (
        "reasoning",
        re.compile(r"</?(?:think|thinking|reasoning)>", re.IGNORECASE),
        msg("模型的思考过程", "the model's reasoning"),
    ),
    ("fence", re.compile(r"```"), msg("Markdown 代码块", "a Markdown code fence")),
    (
        "prompt_markup",
        re.compile(
            r"</?(?:evidence|customer_message|context|thread|turn|brief|customer_fields)\b|"
            r"\$(?:customer_message|evidence|schema|brief|fields|thread)\b"
        ),
        msg("提示词标记", "the prompt's markup"),
    ),
    (
        "schema",
        re.compile(r'"\$(?:defs|schema|ref)"|"(?:properties|additionalProperties|\$defs)"\s*:'),
        "JSON Schema",
    ),
    (
        "json",
        re.compile(r'^\s*[\[{]\s*"[^"\n]{1,40}"\s*:|"[A-Za-z_]\w{0,30}"\s*:\s*[\[{"\d]'),
        "JSON",
    ),
    (
        "html",
        re.compile(r"<!doctype html|<(?:html|head|body|script|div|table)\b", re.IGNORECASE),
        "HTML",
    ),
    (
        "code",
        re.compile(
            r"^\s*(?:def |class \w+[:(]|import \w|from [\w.]+ import |function \w+\(|"
            r"(?:const|let|var) \w+ =|#include\b|SELECT .+ FROM )",
            re.MULTILINE,
        ),
        msg("代码", "source code"),
    ),
)
# JSON/code punctuation share above which a text is not prose even without a marker.
MAX_SYNTAX_SHARE = 0.2
SYNTAX = frozenset('{}[]":;=<>\\')


class Problem(NamedTuple):
    kind: str
    start: int
    end: int
    what: Text


def machine_output(text: str) -> Problem | None:
    """Why `text` is not natural language (kind, span, description), or None when it is."""
    for kind, pattern, what in MARKERS:
        match = pattern.search(text)
        if match:
            return Problem(kind, match.start(), match.end(), what)
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) >= 20:
        share = sum(ch in SYNTAX for ch in visible) / len(visible)
        if share > MAX_SYNTAX_SHARE:
            return Problem("syntax", 0, len(text), msg("符号多于文字", "more syntax than words"))
    return None


class NaturalLanguageRule:
    """Blocks a draft whose text is JSON, a schema, code, a fence, HTML or model reasoning."""

    id = "natural_language"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        problem = machine_output(draft.text)
        if problem is None:
            return []
        return [
            Finding(
                rule="natural_language",
                severity="block",
                start=problem.start,
                end=problem.end,
                text=draft.text[problem.start : problem.end][:80],
                message=msg(
                    f"草稿不是给人读的文字,而是{render(problem.what, 'zh')}",
                    f"the draft is not natural language but {render(problem.what, 'en')}",
                ),
                fix=msg(
                    "重新生成或改用模板模式;检查模型是否支持 JSON 输出 (siyu llm check)",
                    "draft again or use the template drafter; check the model's JSON support "
                    "with `siyu llm check`",
                ),
            )
        ]
