"""Retrieval: load and chunk documents, embed them offline, search by vectors + keywords."""

from copilot.retrieval.ingest import Ingestor, IngestReport
from copilot.retrieval.models import Chunk, Hit, SearchFilters
from copilot.retrieval.retriever import Retriever

__all__ = ["Chunk", "Hit", "IngestReport", "Ingestor", "Retriever", "SearchFilters"]
