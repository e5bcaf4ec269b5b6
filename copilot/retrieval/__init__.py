"""Retrieval: load and chunk documents, embed them offline, search by vectors + keywords.

The ingestor and the retriever import numpy and the BM25 index (and Chroma when they need the
collection), so they load on first use: code that only needs the data models (drafting,
guardrails, answering) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from copilot.retrieval.models import Chunk, Hit, SearchFilters

if TYPE_CHECKING:
    from copilot.retrieval.ingest import Ingestor, IngestReport
    from copilot.retrieval.retriever import Retriever

_LAZY = {
    "Ingestor": "copilot.retrieval.ingest",
    "IngestReport": "copilot.retrieval.ingest",
    "Retriever": "copilot.retrieval.retriever",
}

__all__ = ["Chunk", "Hit", "IngestReport", "Ingestor", "Retriever", "SearchFilters"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
