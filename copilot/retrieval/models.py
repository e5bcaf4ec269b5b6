"""Pydantic models at the retrieval boundary: chunks going in, hits coming out."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DocType = Literal["product", "faq", "policy", "promotion", "approved", "doc"]
Language = Literal["zh", "en"]

OPEN_START = 0  # valid_from of a chunk with no start date
OPEN_END = 99991231  # valid_to of a chunk with no end date


def date_key(day: date) -> int:
    """A date as the yyyymmdd integer stored in chunk metadata (Chroma filters on numbers)."""
    return day.year * 10000 + day.month * 100 + day.day


class Chunk(BaseModel):
    """One retrievable passage with the metadata kept beside it in the store."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="content hash; stable while source and text are unchanged")
    text: str
    source: str = Field(description="file the passage came from, as shown in citations")
    heading: str = ""
    doc_type: DocType = "doc"
    sku: str = ""
    language: Language = "zh"
    valid_from: int = OPEN_START
    valid_to: int = OPEN_END
    row: int | None = Field(None, description="1-based data row for CSV/JSONL sources")

    def metadata(self) -> dict[str, Any]:
        data = self.model_dump(exclude={"id", "text"})
        data["row"] = -1 if self.row is None else self.row
        return data


class SearchFilters(BaseModel):
    """Metadata filters. Only passages valid on `on` (default: today) come back, so an expired
    promotion is never presented as current; `include_expired` lifts that for audits."""

    model_config = ConfigDict(extra="forbid")

    doc_types: list[DocType] | None = None
    sku: str | None = None
    language: Language | None = None
    on: date | None = None
    include_expired: bool = False


class ExtraSearch(BaseModel):
    """A further search for a task (one part of a multi-question message, a structured fact)."""

    model_config = ConfigDict(extra="forbid")

    query: str
    k: int = 5
    filters: SearchFilters


class Hit(BaseModel):
    """One search result; `citation` is the short id drafts cite, e.g. ``[K3]``."""

    model_config = ConfigDict(extra="forbid")

    id: str
    text: str
    source: str
    heading: str = ""
    doc_type: DocType = "doc"
    score: float
    citation: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    vector_rank: int | None = None
    keyword_rank: int | None = None
    vector_score: float | None = Field(
        None, description="cosine similarity, when ranked by vectors"
    )
    keyword_score: float | None = Field(None, description="BM25 score, when ranked by keywords")
