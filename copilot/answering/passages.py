"""Evidence passages as the answerer reads them: the question half (FAQ question, product name,
section heading, promotion title), the answer half, and labelled fields (价格:89元 / Price: ¥89)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from copilot.retrieval.models import OPEN_END, OPEN_START

QA = re.compile(r"^\s*(?:问|Q)\s*[::]\s*(.+?)\n\s*(?:答|A)\s*[::]\s*(.+)$", re.DOTALL)
FIELD = re.compile(r"^([^\n::]{1,16})[::]\s*(.+)$", re.MULTILINE)


class Passage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    text: str
    doc_type: str = "doc"
    source: str = ""
    question: str = Field("", description="what the passage answers: FAQ question, name, heading")
    answer: str = ""
    fields: dict[str, str] = Field(default_factory=dict)
    language: str = "zh"
    valid_from: int = OPEN_START
    valid_to: int = OPEN_END
    row: int | None = None


def passage_of(evidence: dict[str, Any]) -> Passage:
    text = str(evidence.get("text", "")).strip()
    meta: dict[str, Any] = evidence.get("metadata") or {}
    heading = str(evidence.get("heading") or meta.get("heading") or "")
    doc_type = str(evidence.get("doc_type", "doc"))
    question, answer, fields = heading, text, {}
    match = QA.match(text)
    if match:
        question, answer = match.group(1).strip(), match.group(2).strip()
    elif doc_type == "product":
        fields = {k.strip(): v.strip() for k, v in FIELD.findall(text)}
    elif heading and text.startswith(heading):
        answer = text[len(heading) :].strip()
    language = str(meta.get("language") or ("en" if text.isascii() else "zh"))
    row = meta.get("row")
    return Passage(
        id=str(evidence["id"]),
        text=text,
        doc_type=doc_type,
        source=str(evidence.get("source", "")),
        question=question or text[:60],
        answer=answer,
        fields=fields,
        language="en" if language == "en" else "zh",
        valid_from=int(meta.get("valid_from", OPEN_START)),
        valid_to=int(meta.get("valid_to", OPEN_END)),
        row=int(row) if isinstance(row, int) and row > 0 else None,
    )
