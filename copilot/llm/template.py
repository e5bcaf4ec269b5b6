"""The template drafter: the offline default when no endpoint is configured (模板模式).

Replies come from copilot.answering; posts and messages from template_post and template_message.

It reads the same structured context the prompt was rendered from (request, evidence with
relevance flags, permitted fields, brief) and fills scenario templates. Deterministic: the same
context always gives the same drafts. It never states a fact that is not in the evidence or the
brief; when the evidence does not cover a question it writes a holding reply for a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from copilot.answering import reply_items
from copilot.llm.backend import TEMPLATE_BACKEND, ChatPrompt, Generation, T, Usage
from copilot.llm.template_facts import without_codes
from copilot.llm.template_message import draft_message
from copilot.llm.template_post import draft_post
from copilot.llm.template_voice import load_voice


class TemplateBackend:
    """Fills scenario templates from the prompt's context; labelled 模板模式 on every draft."""

    is_template = True
    streams = False

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
            # Internal product codes stay internal, as in posts and messages.
            voice = load_voice(context.get("language", "zh"))
            return [
                {**item, "text": without_codes(item["text"], voice)}
                for item in reply_items(context)
            ]
        if task == "post":
            return draft_post(context, relevant)
        return draft_message(context, relevant)
