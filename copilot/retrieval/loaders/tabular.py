"""CSV (FAQ pairs, products, generic rows) and JSONL loaders: one section per row or line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from copilot.errors import InputError
from copilot.messages import Text, msg
from copilot.retrieval.loaders.base import (
    Loaded,
    Problem,
    Section,
    doc_type_of,
    is_zh,
    qa_text,
    validity,
)
from copilot.retrieval.text import decode

# Longest cell loaded (csv's default field limit): one cell is one passage, and a longer one is
# an export accident (a whole document pasted in a cell), so its row is reported instead.
MAX_CELL_CHARS = 131_072
_JSONL_HINT = msg("每行一个 JSON 对象,含 text 字段", "one JSON object per line, with a text field")

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


def _row_problem(exc: InputError, source: str, row: int, hint: Text = "") -> Problem:
    """A row skipped for `exc`: its field, what is wrong and what to do (else `hint`)."""
    return Problem(
        source=source, row=row, field=exc.where or None, message=exc.message, hint=exc.hint or hint
    )


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """Let the csv parser read fields up to `limit` characters, so an over-long cell is one
    reported row rather than an error that stops the file."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def load_csv(path: Path, source: str) -> Loaded:
    text = decode(path.read_bytes(), source)
    with _field_limit(max(len(text) + 1, MAX_CELL_CHARS)):
        return _parse_csv(text, source)


def _parse_csv(text: str, source: str) -> Loaded:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError(msg("CSV 没有表头", "CSV has no header row"), where=source) from None
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
                    message=msg(
                        f"列数 {len(cells)} 与表头 {len(header)} 不符",
                        f"{len(cells)} columns where the header has {len(header)}",
                    ),
                    hint=msg(
                        "检查该行是否有未加引号的逗号或换行",
                        "check the row for an unquoted comma or line break",
                    ),
                )
            )
            continue
        too_long = next(
            (h for h, c in zip(header, cells, strict=True) if len(c) > MAX_CELL_CHARS), ""
        )
        if too_long:
            loaded.problems.append(
                Problem(
                    source=source,
                    row=row_number,
                    field=too_long,
                    message=msg(
                        f"单元格超过 {MAX_CELL_CHARS:,} 个字符",
                        f"cell longer than {MAX_CELL_CHARS:,} characters",
                    ),
                    hint=msg(
                        "把这段长内容另存为 .md 或 .txt 文件导入,或拆成多行",
                        "save the long text as an .md or .txt file and ingest that, or split it "
                        "over several rows",
                    ),
                )
            )
            continue
        record = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        try:
            loaded.sections.append(
                _csv_section(record, faq, is_faq, is_product, source, row_number)
            )
        except InputError as exc:
            loaded.problems.append(_row_problem(exc, source, row_number))
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
    bounds = validity(record, source, row)
    if is_faq:
        question, answer = record[faq["question"] or ""], record[faq["answer"] or ""]
        for field, value in (("question", question), ("answer", answer)):
            if not value:
                raise InputError(msg(f"{field} 为空", f"{field} is empty"), where=field)
        return Section(
            text=qa_text(question, answer),
            heading=question,
            row=row,
            atomic=True,
            sku=record.get("sku", ""),
            valid_from=bounds[0],
            valid_to=bounds[1],
        )
    if is_product:
        if not record["sku"] or not record["name"]:
            raise InputError(msg("sku 或 name 为空", "sku or name is empty"), where="sku")
        zh = is_zh(record["name"])
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
            valid_from=bounds[0],
            valid_to=bounds[1],
        )
    text = "\n".join(f"{key}: {value}" for key, value in record.items() if value)
    return Section(text=text, row=row, atomic=True, sku=record.get("sku", ""))


def load_jsonl(path: Path, source: str) -> Loaded:
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
        except InputError as exc:
            loaded.problems.append(_row_problem(exc, source, row_number, _JSONL_HINT))
        except ValueError as exc:
            loaded.problems.append(
                Problem(
                    source=source,
                    row=row_number,
                    message=msg(f"不是合法 JSON 对象: {exc}", f"not a valid JSON object: {exc}"),
                    hint=_JSONL_HINT,
                )
            )
    return loaded


def _jsonl_section(record: dict[str, Any], source: str, row: int) -> Section:
    if record.get("question") and record.get("answer"):
        q, a = str(record["question"]), str(record["answer"])
        text = qa_text(q, a)
        heading, doc_type = q, record.get("doc_type") or "faq"
    else:
        body = record.get("text") or record.get("content")
        if not body:
            raise InputError(msg("缺少 text 字段", "missing 'text' field"), where="text")
        text, heading, doc_type = str(body), str(record.get("title", "")), record.get("doc_type")
    doc_type = doc_type_of(doc_type, "doc_type")
    valid_from, valid_to = validity(record, source, row)
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
