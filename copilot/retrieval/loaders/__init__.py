"""File loaders: md, txt, csv, jsonl, pdf, docx → sections with metadata, plus row problems.

A loader raises InputError when the whole file is unusable; a bad row or line becomes a
`Problem` and the rest of the file still loads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from copilot.errors import InputError
from copilot.messages import msg
from copilot.retrieval.loaders.base import Loaded, Problem, Section
from copilot.retrieval.loaders.markdown import load_markdown, load_text
from copilot.retrieval.loaders.office import load_docx, load_pdf
from copilot.retrieval.loaders.tabular import load_csv, load_jsonl

_LOADERS: dict[str, Callable[[Path, str], Loaded]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".csv": load_csv,
    ".jsonl": load_jsonl,
    ".pdf": load_pdf,
    ".docx": load_docx,
}
SUPPORTED = tuple(_LOADERS)

__all__ = ["SUPPORTED", "Loaded", "Problem", "Section", "load"]


def load(path: Path, source: str) -> Loaded:
    """Parse one file by its extension."""
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise InputError(
            msg(f"不支持的文件类型 {suffix}", f"unsupported file type {suffix}"),
            where=source,
            hint=msg(f"支持: {', '.join(SUPPORTED)}", f"supported: {', '.join(SUPPORTED)}"),
        )
    return loader(path, source)
