"""What loaders produce: sections with metadata, and problems for skipped rows or files."""

from __future__ import annotations

from datetime import date
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field

from copilot.errors import InputError
from copilot.messages import Text, msg
from copilot.retrieval.models import OPEN_END, OPEN_START, DocType, date_key


class Problem(BaseModel):
    """A row or line that was skipped, or a whole file that was; `message` and `hint` keep both
    languages until a face renders them."""

    model_config = ConfigDict(extra="forbid")

    source: str
    row: int | None = None
    field: str | None = None
    message: Text
    hint: Text = ""


class Section(BaseModel):
    """A unit of text before chunking; `atomic` sections (FAQ pair, product row) stay whole."""

    model_config = ConfigDict(extra="forbid")

    text: str
    heading: str = ""
    row: int | None = None
    atomic: bool = False
    doc_type: DocType | None = None
    sku: str = ""
    language: str | None = None
    valid_from: int = OPEN_START
    valid_to: int = OPEN_END


class Loaded(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sections: list[Section] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)


def validity(record: dict[str, Any], source: str, row: int | None) -> tuple[int, int]:
    bounds = []
    for key, default in (("valid_from", OPEN_START), ("valid_to", OPEN_END)):
        value = record.get(key)
        if value in (None, ""):
            bounds.append(default)
            continue
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
        except ValueError:
            raise InputError(
                msg(
                    f"{key} 不是 YYYY-MM-DD 日期: {value!r}",
                    f"{key} is not a YYYY-MM-DD date: {value!r}",
                ),
                where=key,
                hint=msg("日期格式例如 2026-12-12", "write dates like 2026-12-12"),
            ) from None
        bounds.append(date_key(day))
    return bounds[0], bounds[1]


def doc_type_of(value: Any, where: str) -> DocType | None:
    """A declared doc type (front matter, JSONL field) checked against the known ones."""
    if value in (None, ""):
        return None
    valid: tuple[DocType, ...] = get_args(DocType)
    for doc_type in valid:
        if value == doc_type:
            return doc_type
    raise InputError(
        msg(
            f"doc_type {value!r} 无效,可选: {', '.join(valid)}",
            f"doc_type {value!r} is not valid; must be one of: {', '.join(valid)}",
        ),
        where=where,
        hint=msg(
            "把 doc_type 改成上面列出的一种,或删掉该字段(按文件名推断)",
            "change doc_type to one listed above, or drop the field (the file name decides)",
        ),
    )


def is_zh(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def qa_text(question: str, answer: str) -> str:
    """One FAQ pair as a single passage, labelled in the question's language."""
    return f"问:{question}\n答:{answer}" if is_zh(question) else f"Q: {question}\nA: {answer}"
