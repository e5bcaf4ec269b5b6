"""Streaming a draft: text deltas pass straight through, the checked result comes after.

A reasoning model's ``<think>…</think>`` is held back from the live text (it is still part of
the raw answer). A stream that stalls or breaks ends the live text; `result()` then gives the
labelled fallback drafts with the reason, like any unusable answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Protocol

from copilot.drafting.models import DraftResult, Prepared
from copilot.llm.backend import Backend, Generation
from copilot.llm.parsing import OutputParseError

OPEN = re.compile(r"<(think|thinking|reasoning)>", re.IGNORECASE)
LONGEST_TAG = len("</reasoning>")


class ReasoningFilter:
    """Feeds deltas, returns what may be shown: text outside reasoning blocks. A tag split
    across deltas is held back until it is complete."""

    def __init__(self) -> None:
        self._pending = ""
        self._closing: str | None = None

    def feed(self, delta: str) -> str:
        self._pending += delta
        shown = ""
        while self._pending:
            if self._closing is not None:
                end = self._pending.lower().find(self._closing)
                if end < 0:
                    self._pending = self._pending[-LONGEST_TAG:]
                    return shown
                self._pending = self._pending[end + len(self._closing) :]
                self._closing = None
                continue
            match = OPEN.search(self._pending)
            if match:
                shown += self._pending[: match.start()]
                self._closing = f"</{match.group(1).lower()}>"
                self._pending = self._pending[match.end() :]
                continue
            cut = self._pending.rfind("<")
            if cut >= 0 and len(self._pending) - cut < LONGEST_TAG:
                shown, self._pending = shown + self._pending[:cut], self._pending[cut:]
                return shown
            shown, self._pending = shown + self._pending, ""
        return shown

    def flush(self) -> str:
        """What is left once the stream ends (nothing, inside an unclosed reasoning block)."""
        rest, self._pending = ("" if self._closing else self._pending), ""
        return rest


class Engine(Protocol):
    """What a stream needs from the drafting engine."""

    @property
    def backend(self) -> Backend: ...

    def parse(self, prepared: Prepared, raw: str) -> Generation: ...

    def rejected(self, prepared: Prepared, exc: OutputParseError) -> Generation: ...

    def finish(self, prepared: Prepared, generation: Generation) -> DraftResult: ...


class DraftStream:
    """Text deltas as the backend sends them; `result()` afterwards gives the checked drafts."""

    def __init__(self, engine: Engine, prepared: Prepared) -> None:
        self.engine = engine
        self.prepared = prepared
        self._parts: list[str] = []
        self._generation: Generation | None = None

    def __iter__(self) -> Iterator[str]:
        backend = self.engine.backend
        if not backend.streams:
            self._generation = backend.generate(self.prepared.chat, self.prepared.spec.schema_model)
            yield self._generation.raw
            return
        shown = ReasoningFilter()
        try:
            for delta in backend.stream(self.prepared.chat):
                self._parts.append(delta)
                visible = shown.feed(delta)
                if visible:
                    yield visible
        except OutputParseError as exc:
            self._generation = self.engine.rejected(
                self.prepared, _with_raw(exc, "".join(self._parts))
            )
            return
        rest = shown.flush()
        if rest:
            yield rest

    def result(self) -> DraftResult:
        generation = self._generation or self.engine.parse(self.prepared, "".join(self._parts))
        return self.engine.finish(self.prepared, generation)

    @property
    def prompt(self) -> dict[str, Any]:
        return {"id": self.prepared.spec.id, "version": self.prepared.spec.version}


def _with_raw(exc: OutputParseError, raw: str) -> OutputParseError:
    """The error carrying what had arrived before the stream stopped."""
    exc.raw = exc.raw or raw
    return exc
