"""Streaming a draft: text deltas pass straight through, the checked result comes after."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from copilot.drafting.models import DraftResult
from copilot.llm.backend import TEMPLATE_BACKEND, Generation

if TYPE_CHECKING:
    from copilot.drafting.engine import DraftingEngine, Prepared


class DraftStream:
    """Text deltas as the backend sends them; `result()` afterwards gives the checked drafts."""

    def __init__(self, engine: DraftingEngine, prepared: Prepared) -> None:
        self.engine = engine
        self.prepared = prepared
        self._parts: list[str] = []
        self._generation: Generation | None = None

    def __iter__(self) -> Iterator[str]:
        backend = self.engine.backend
        if backend.name == TEMPLATE_BACKEND:
            self._generation = backend.generate(self.prepared.chat, self.prepared.spec.schema_model)
            yield self._generation.raw
            return
        for delta in backend.stream(self.prepared.chat):
            self._parts.append(delta)
            yield delta

    def result(self) -> DraftResult:
        generation = self._generation or self.engine.parse(self.prepared, "".join(self._parts))
        return self.engine.finish(self.prepared, generation)

    @property
    def prompt(self) -> dict[str, Any]:
        return {"id": self.prepared.spec.id, "version": self.prepared.spec.version}
