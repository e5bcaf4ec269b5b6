"""Markdown (with YAML front matter) and plain-text loaders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from copilot.errors import InputError
from copilot.messages import msg
from copilot.retrieval.loaders.base import Loaded, Section, doc_type_of, validity
from copilot.retrieval.text import decode

# Front matter: a leading '---' line, YAML, and a closing '---' line.
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
# ATX headings '# ' … '###### ' at the start of a line (not '#hashtag').
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


def load_markdown(path: Path, source: str) -> Loaded:
    text = decode(path.read_bytes(), source)
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            parsed = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise InputError(
                msg(f"front matter 不是合法 YAML: {exc}", f"invalid front matter: {exc}"),
                where=source,
                hint=msg(
                    "检查文件开头两行 --- 之间的内容",
                    "check the text between the two --- lines at the top",
                ),
            ) from None
        if not isinstance(parsed, dict):
            raise InputError(
                msg("front matter 必须是键值对", "front matter must be a mapping"), where=source
            )
        meta = parsed
        if "doc_type" in meta:
            meta["doc_type"] = doc_type_of(meta["doc_type"], "doc_type")
        text = text[match.end() :]
    bounds = validity(meta, source, None)
    sections = [
        Section(text=body, heading=heading, valid_from=bounds[0], valid_to=bounds[1])
        for heading, body in split_headings(text, str(meta.get("title", "")))
    ]
    return Loaded(sections=sections, meta=meta)


def split_headings(text: str, title: str) -> list[tuple[str, str]]:
    """(heading path, body) per heading; the path joins parent headings with ' > '."""
    out: list[tuple[str, str]] = []
    stack: list[str] = [title] if title else []
    base = len(stack)
    last_end, last_heading = 0, " > ".join(stack)
    for match in _HEADING.finditer(text):
        body = text[last_end : match.start()].strip()
        if body:
            out.append((last_heading, body))
        level = len(match.group(1))
        del stack[base + level - 1 :]
        stack.extend([""] * (base + level - 1 - len(stack)))
        stack.append(match.group(2).strip())
        last_heading = " > ".join(part for part in stack if part)
        last_end = match.end()
    body = text[last_end:].strip()
    if body:
        out.append((last_heading, body))
    return out


def load_text(path: Path, source: str) -> Loaded:
    return Loaded(sections=[Section(text=decode(path.read_bytes(), source).strip())])
