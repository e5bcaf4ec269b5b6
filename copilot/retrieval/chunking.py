"""Structure-aware chunking: atomic sections stay whole; long sections split by a token
budget on sentence boundaries, with overlap. Chunk ids are content hashes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator

from copilot.retrieval.loaders import Section
from copilot.retrieval.models import Chunk, DocType
from copilot.retrieval.text import estimate_tokens, language_of

# Sentence ends: Chinese 。!?; and newlines always; Latin .!? only before whitespace (not 1.5).
_SENTENCE_END = re.compile(r"(?<=[。!?;!?;\n])|(?<=[.!?])(?=\s)")


def chunk_sections(
    sections: Iterable[Section],
    *,
    key: str,
    source: str,
    doc_type: DocType,
    language: str | None,
    budget: int,
    overlap: int,
) -> list[Chunk]:
    """Chunks of one document; `key` (the file's identity) is part of every chunk id."""
    chunks: dict[str, Chunk] = {}
    for section in sections:
        lang = section.language or language or language_of(section.text)
        pieces = [section.text] if section.atomic else list(_split(section.text, budget, overlap))
        for piece in pieces:
            text = (
                f"{section.heading}\n{piece}" if section.heading and not section.atomic else piece
            )
            chunk = Chunk(
                id=_chunk_id(key, text, section),
                text=text,
                source=source,
                heading=section.heading,
                doc_type=section.doc_type or doc_type,
                sku=section.sku,
                language="zh" if lang == "zh" else "en",
                valid_from=section.valid_from,
                valid_to=section.valid_to,
                row=section.row,
            )
            chunks.setdefault(chunk.id, chunk)  # identical passages in one file are stored once
    return list(chunks.values())


def _chunk_id(key: str, text: str, section: Section) -> str:
    payload = "\x1f".join(
        (
            key,
            text,
            section.doc_type or "",
            section.sku,
            str(section.valid_from),
            str(section.valid_to),
        )
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _split(text: str, budget: int, overlap: int) -> Iterator[str]:
    """Greedy packing of sentences up to `budget` tokens, repeating ~`overlap` tokens."""
    sentences = [s for s in _sentences(text, budget) if s.strip()]
    current: list[str] = []
    size = 0
    for sentence in sentences:
        tokens = estimate_tokens(sentence)
        if current and size + tokens > budget:
            yield "".join(current).strip()
            current, size = _tail(current, overlap)
        current.append(sentence)
        size += tokens
    if current:
        yield "".join(current).strip()


def _sentences(text: str, budget: int) -> Iterator[str]:
    for sentence in _SENTENCE_END.split(text):
        if estimate_tokens(sentence) <= budget:
            yield sentence
            continue
        # A run-on sentence (or junk without punctuation): hard-split by characters.
        step = max(budget, 1)
        for start in range(0, len(sentence), step):
            yield sentence[start : start + step]


def _tail(sentences: list[str], overlap: int) -> tuple[list[str], int]:
    kept: list[str] = []
    size = 0
    for sentence in reversed(sentences):
        tokens = estimate_tokens(sentence)
        if size + tokens > overlap:
            break
        kept.insert(0, sentence)
        size += tokens
    return kept, size
