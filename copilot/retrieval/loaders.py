"""File loaders: md, txt, csv, jsonl, pdf, docx → sections with metadata, plus row problems.

A loader raises InputError when the whole file is unusable; a bad row or line becomes a
`Problem` and the rest of the file still loads.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from copilot.errors import InputError
from copilot.retrieval.models import OPEN_END, OPEN_START, DocType, date_key
from copilot.retrieval.text import decode

SUPPORTED = (".md", ".markdown", ".txt", ".csv", ".jsonl", ".pdf", ".docx")

# Front matter: a leading '---' line, YAML, and a closing '---' line.
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
# ATX headings '# ' … '###### ' at the start of a line (not '#hashtag').
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)

_FAQ_COLUMNS = {
    "question": ("question", "问题", "q", "问"),
    "answer": ("answer", "答案", "a", "答"),
}
_PRODUCT_LABELS = {
    "zh": {
        "name": "商品",
        "sku": "SKU",
        "price": "价格",
        "spec": "规格",
        "category": "品类",
        "suitable_for": "适用",
        "cautions": "注意事项",
        "description": "介绍",
    },
    "en": {
        "name": "Product",
        "sku": "SKU",
        "price": "Price",
        "spec": "Spec",
        "category": "Category",
        "suitable_for": "Suitable for",
        "cautions": "Cautions",
        "description": "Description",
    },
}


class Problem(BaseModel):
    """A row or line that was skipped, or a whole file that was."""

    model_config = ConfigDict(extra="forbid")

    source: str
    row: int | None = None
    field: str | None = None
    message: str
    hint: str = ""


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


def load(path: Path, source: str) -> Loaded:
    """Parse one file by its extension."""
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise InputError(
            f"不支持的文件类型 {suffix} / unsupported file type",
            where=source,
            hint=f"支持 / supported: {', '.join(SUPPORTED)}",
        )
    return loader(path, source)


def _load_markdown(path: Path, source: str) -> Loaded:
    text = decode(path.read_bytes(), source)
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            parsed = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise InputError(
                f"front matter 不是合法 YAML / invalid front matter: {exc}",
                where=source,
                hint="检查文件开头两行 --- 之间的内容",
            ) from None
        if not isinstance(parsed, dict):
            raise InputError(
                "front matter 必须是键值对 / front matter must be a mapping", where=source
            )
        meta = parsed
        text = text[match.end() :]
    validity = _validity(meta, source, None)
    sections = [
        Section(text=body, heading=heading, valid_from=validity[0], valid_to=validity[1])
        for heading, body in _split_headings(text, str(meta.get("title", "")))
    ]
    return Loaded(sections=sections, meta=meta)


def _split_headings(text: str, title: str) -> list[tuple[str, str]]:
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


def _load_text(path: Path, source: str) -> Loaded:
    return Loaded(sections=[Section(text=decode(path.read_bytes(), source).strip())])


def _load_csv(path: Path, source: str) -> Loaded:
    text = decode(path.read_bytes(), source)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError("CSV 没有表头 / CSV has no header row", where=source) from None
    faq = {key: _find_column(header, names) for key, names in _FAQ_COLUMNS.items()}
    is_faq = faq["question"] is not None and faq["answer"] is not None
    is_product = "sku" in header and "name" in header
    loaded = Loaded(meta={"doc_type": "faq" if is_faq else "product" if is_product else None})
    for row_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            loaded.problems.append(
                Problem(
                    source=source,
                    row=row_number,
                    message=f"列数 {len(cells)} 与表头 {len(header)} 不符 / column count mismatch",
                    hint="检查该行是否有未加引号的逗号或换行",
                )
            )
            continue
        record = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        try:
            loaded.sections.append(
                _csv_section(record, faq, is_faq, is_product, source, row_number)
            )
        except InputError as exc:
            loaded.problems.append(
                Problem(
                    source=source,
                    row=row_number,
                    field=exc.where or None,
                    message=exc.message,
                    hint=exc.hint,
                )
            )
    return loaded


def _find_column(header: list[str], names: tuple[str, ...]) -> str | None:
    return next((h for h in header if h in names), None)


def _csv_section(
    record: dict[str, str],
    faq: dict[str, str | None],
    is_faq: bool,
    is_product: bool,
    source: str,
    row: int,
) -> Section:
    validity = _validity(record, source, row)
    if is_faq:
        question, answer = record[faq["question"] or ""], record[faq["answer"] or ""]
        for field, value in (("question", question), ("answer", answer)):
            if not value:
                raise InputError(f"{field} 为空 / {field} is empty", where=field)
        return Section(
            text=f"问:{question}\n答:{answer}"
            if _is_zh(question)
            else f"Q: {question}\nA: {answer}",
            heading=question,
            row=row,
            atomic=True,
            sku=record.get("sku", ""),
            valid_from=validity[0],
            valid_to=validity[1],
        )
    if is_product:
        if not record["sku"] or not record["name"]:
            raise InputError("sku 或 name 为空 / sku or name is empty", where="sku")
        zh = _is_zh(record["name"])
        labels = _PRODUCT_LABELS["zh" if zh else "en"]
        lines = []
        for key, label in labels.items():
            value = record.get(key, "")
            if value and key == "price":
                value = f"{value}元" if zh else f"¥{value}"
            if value:
                lines.append(f"{label}:{value}" if zh else f"{label}: {value}")
        return Section(
            text="\n".join(lines),
            heading=record["name"],
            row=row,
            atomic=True,
            sku=record["sku"],
            valid_from=validity[0],
            valid_to=validity[1],
        )
    text = "\n".join(f"{key}: {value}" for key, value in record.items() if value)
    return Section(text=text, row=row, atomic=True, sku=record.get("sku", ""))


def _is_zh(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _load_jsonl(path: Path, source: str) -> Loaded:
    text = decode(path.read_bytes(), source)
    loaded = Loaded()
    for row_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not an object")
            loaded.sections.append(_jsonl_section(record, source, row_number))
        except (ValueError, InputError) as exc:
            message = (
                exc.message
                if isinstance(exc, InputError)
                else f"不是合法 JSON 对象 / invalid JSON: {exc}"
            )
            loaded.problems.append(
                Problem(
                    source=source,
                    row=row_number,
                    message=message,
                    hint="每行一个 JSON 对象,含 text 字段",
                )
            )
    return loaded


def _jsonl_section(record: dict[str, Any], source: str, row: int) -> Section:
    if record.get("question") and record.get("answer"):
        q, a = str(record["question"]), str(record["answer"])
        text = f"问:{q}\n答:{a}" if _is_zh(q) else f"Q: {q}\nA: {a}"
        heading, doc_type = q, record.get("doc_type", "faq")
    else:
        body = record.get("text") or record.get("content")
        if not body:
            raise InputError("缺少 text 字段 / missing 'text' field")
        text, heading, doc_type = str(body), str(record.get("title", "")), record.get("doc_type")
    valid_from, valid_to = _validity(record, source, row)
    return Section(
        text=text,
        heading=heading,
        row=row,
        atomic=True,
        doc_type=doc_type,
        sku=str(record.get("sku", "")),
        language=record.get("language"),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _load_pdf(path: Path, source: str) -> Loaded:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError(
                "PDF 已加密 / the PDF is encrypted", where=source, hint="请导出未加密版本"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(
            f"无法读取 PDF / unreadable PDF: {exc}",
            where=source,
            hint="确认文件是完整的 PDF(不是改了扩展名的其他文件)",
        ) from None
    sections = [
        Section(text=t.strip(), heading=f"第{i}页 / page {i}")
        for i, t in enumerate(pages, start=1)
        if t.strip()
    ]
    if not sections:
        raise InputError(
            "PDF 中没有可提取的文字(可能是扫描件) / no extractable text",
            where=source,
            hint="扫描件请先做 OCR",
        )
    return Loaded(sections=sections)


def _load_docx(path: Path, source: str) -> Loaded:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise InputError(
            f"无法读取 docx / unreadable docx: {exc}",
            where=source,
            hint="用 Word 另存为 .docx 后重试",
        ) from None
    lines = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.lower().startswith("heading") and paragraph.text.strip():
            level = int(style[-1]) if style[-1].isdigit() else 1
            lines.append(f"{'#' * level} {paragraph.text.strip()}")
        else:
            lines.append(paragraph.text)
    sections = [
        Section(text=body, heading=heading)
        for heading, body in _split_headings("\n".join(lines), "")
    ]
    return Loaded(sections=sections)


def _validity(record: dict[str, Any], source: str, row: int | None) -> tuple[int, int]:
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
                f"{key} 不是 YYYY-MM-DD 日期: {value!r} / not an ISO date",
                where=key,
                hint="日期格式例如 2026-12-12",
            ) from None
        bounds.append(date_key(day))
    return bounds[0], bounds[1]


_LOADERS: dict[str, Callable[[Path, str], Loaded]] = {
    ".md": _load_markdown,
    ".markdown": _load_markdown,
    ".txt": _load_text,
    ".csv": _load_csv,
    ".jsonl": _load_jsonl,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
}
