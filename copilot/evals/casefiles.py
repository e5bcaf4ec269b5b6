"""Cases from CSV or JSONL files, as promptfoo reads them.

CSV: one case per row; columns are vars, except ``__id``, ``__description`` and
``__expected`` (also ``__expected1``, ``__expected2``…), which hold an assertion written
``type: value`` (``contains: 7天``, ``not-icontains: refund``) or a plain value meaning
``equals``. JSONL: one case object per line (``id``, ``description``, ``vars``, ``assert``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from copilot.errors import ConfigError
from copilot.evals.assertions import valid_types
from copilot.messages import msg

HINT = msg(
    "CSV 列为 vars 与 __expected;JSONL 每行一个用例对象",
    "CSV columns are vars plus __expected; JSONL holds one case object per line",
)


def load_case_file(path: Path) -> list[tuple[dict[str, Any], tuple[str, int]]]:
    """(case as written, (file, line)) for each case in a CSV or JSONL file; the suite
    validates them."""
    if not path.is_file():
        raise ConfigError(
            msg("找不到用例文件", "case file not found") + f": {path}",
            where=str(path),
            hint=msg("路径相对于评测集文件", "the path is relative to the suite file"),
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".jsonl", ".ndjson"):
        rows = _jsonl_rows(path)
    else:
        raise ConfigError(
            msg(f"不支持的用例文件类型 {suffix}", f"unsupported case file type {suffix}"),
            where=str(path),
            hint=msg("使用 .csv 或 .jsonl", "use .csv or .jsonl"),
        )
    return [(raw, (str(path), line)) for line, raw in rows]


def _expected(text: str) -> dict[str, Any]:
    """``type: value`` → an assertion; a bare value → equals (promptfoo's __expected)."""
    head, sep, tail = text.partition(":")
    name = head.strip().lower().replace("_", "-")
    if sep and name in valid_types():
        return {"type": name, "value": tail.strip() or None}
    return {"type": "equals", "value": text}


def _csv_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = []
            for row in reader:
                line = reader.line_num
                case: dict[str, Any] = {"vars": {}, "assert": []}
                for column, cell in row.items():
                    if column is None or cell is None:
                        raise ConfigError(
                            msg("列数与表头不一致", "the row has more cells than the header"),
                            where=f"{path}:{line}",
                            hint=HINT,
                        )
                    if column.startswith("__expected"):
                        if cell.strip():
                            case["assert"].append(_expected(cell.strip()))
                    elif column in ("__id", "__description"):
                        case[column.removeprefix("__")] = cell
                    else:
                        case["vars"][column] = cell
                rows.append((line, case))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(
            msg("无法读取 CSV", "cannot read the CSV") + f": {exc}", where=str(path), hint=HINT
        ) from exc
    return rows


def _jsonl_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            msg("无法读取 JSONL", "cannot read the JSONL") + f": {exc}", where=str(path), hint=HINT
        ) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                msg(f"第 {number} 行不是有效 JSON", f"line {number} is not valid JSON")
                + f": {exc.msg}",
                where=f"{path}:{number}:{exc.colno}",
                hint=HINT,
            ) from exc
        if not isinstance(data, dict):
            raise ConfigError(
                msg("每行应是一个 JSON 对象", "each line must be a JSON object"),
                where=f"{path}:{number}",
                hint=HINT,
            )
        rows.append((number, data))
    return rows
