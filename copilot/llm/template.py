"""The template drafter: the offline default when no endpoint is configured (模板模式).

Replies are drafted here; posts and messages in template_post and template_message.

It reads the same structured context the prompt was rendered from (request, evidence with
relevance flags, permitted fields, brief) and fills scenario templates. Deterministic: the same
context always gives the same drafts. It never states a fact that is not in the evidence or the
brief; when the evidence does not cover a question it writes a holding reply for a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from copilot.answering import reply_items
from copilot.llm.backend import TEMPLATE_BACKEND, ChatPrompt, Generation, T, Usage
from copilot.llm.template_message import draft_message
from copilot.llm.template_post import draft_post

# "答:…" / "A: …" / "回答:…" marks the answer half of a FAQ passage.
ANSWER = re.compile(r"(?:^|\n)\s*(?:答|回答|A|Answer)\s*[::]\s*(.+)", re.DOTALL)
# A sentence ends at Chinese or Latin terminal punctuation (kept with the sentence); a Latin
# period ends one only before a space or the end, never inside 6.8kg or xiaohe.example.
SENTENCE = re.compile(r"(?:[^。!?!?;;\n.]|\.(?!\s|$))+(?:[。!?!?;;]|\.(?=\s|$))?")


def answer_of(text: str) -> str:
    match = ANSWER.search(text)
    return (match.group(1) if match else text).strip()


def sentences(text: str, limit: int) -> str:
    """The leading whole sentences of text within `limit` characters; a first sentence that is
    too long is cut at its last comma before the limit (never inside a number)."""
    out = ""
    for part in SENTENCE.findall(text.replace("\r", "")):
        part = part.strip()
        if not part:
            continue
        gap = _gap(out, part)
        if out and len(out) + len(gap) + len(part) > limit:
            break
        out += gap + part
    if len(out) <= limit:
        return out or text[:limit]
    cut = max(out.rfind(mark, 0, limit) for mark in ",,、")
    return out[:cut] + "…" if cut > 0 else out[:limit] + "…"


def _gap(before: str, part: str) -> str:
    """What joins two sentences: Latin ones keep a space, Chinese ones none; lines that ended
    without punctuation (a product sheet's 价格:599元 / Price: ¥599) get a comma."""
    if not before:
        return ""
    if before[-1] in ".!?;":
        return " " if part[0].isascii() else ""
    if before[-1] in "。!?!?;;…~":
        return ""
    return ", " if part[0].isascii() and before[-1].isascii() else "，"


def end_sentence(text: str) -> str:
    """Text closed by a full stop in its own script; a trailing semicolon becomes one."""
    if not text or text[-1] in "。!?!?.~…":
        return text
    body = text.rstrip(";；,，、")
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in body)
    return body + ("。" if chinese else ".")


def _item(text: str, cites: list[str], confidence: float, needs_human: bool) -> dict[str, Any]:
    return {"text": text, "citations": cites, "confidence": confidence, "needs_human": needs_human}


class TemplateBackend:
    """Fills scenario templates from the prompt's context; labelled 模板模式 on every draft."""

    @property
    def name(self) -> str:
        return TEMPLATE_BACKEND

    def generate(self, prompt: ChatPrompt, schema: type[T]) -> Generation:
        items = self.items(prompt.context)
        data = schema.model_validate({"suggestions": items}).model_dump(mode="json")
        raw = "\n\n".join(item["text"] for item in items)
        return Generation(raw=raw, data=data, usage=Usage())

    def stream(self, prompt: ChatPrompt) -> Iterator[str]:
        yield "\n\n".join(item["text"] for item in self.items(prompt.context))

    def items(self, context: dict[str, Any]) -> list[dict[str, Any]]:
        """The drafted suggestions for a prompt context (task, evidence, fields, brief)."""
        relevant = [e for e in context.get("evidence", []) if e.get("relevant")]
        task = context["task"]
        if task == "reply":
            return reply_items(context)
        if task == "post":
            return draft_post(context, relevant)
        return draft_message(context, relevant)
