"""Import NPS survey answers from CSV: customer, score 0–10, date, optional comment and channel.

Chinese or English headers, UTF-8 (with or without BOM) or GBK, like the customer import. Good
rows are stored, bad rows are reported by row and column. One answer per customer and day: a
repeat inside the file is a row error, one already stored is counted as existing (importing the
same survey twice changes nothing). Answers of customers not in the customer records are row
errors (import the customers first).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, tuple_

from copilot.analytics.tables_db import nps_answers
from copilot.customers.csvfile import detect_encoding, map_columns
from copilot.customers.importer import RowProblem, write_problems
from copilot.customers.rows import REQUIRED as EMPTY_CELL
from copilot.customers.rows import RowError, parse_date
from copilot.errors import InputError
from copilot.messages import msg
from copilot.store.engine import BATCH_ROWS, Database
from copilot.store.schema import customers

HEADERS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "customer", "客户id", "客户编号", "会员id", "会员编号"),
    "score": ("score", "nps", "评分", "分数", "推荐值", "推荐意愿"),
    "answered_on": ("date", "answered_on", "time", "日期", "答题日期", "时间", "提交时间"),
    "comment": ("comment", "评论", "意见", "留言", "反馈"),
    "channel": ("channel", "community", "渠道", "社群", "来源"),
}
REQUIRED = ("customer_id", "score", "answered_on")
COMMENT_CHARS = 2000


class NpsImportReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str
    encoding: str
    dry_run: bool
    rows: int = 0
    new: int = 0
    existing: int = 0
    errors: int = 0
    problems: list[RowProblem] = Field(default_factory=list)
    errors_path: Path | None = None


def _columns(path: Path, headers: list[str]) -> dict[str, int]:
    columns = map_columns(headers, HEADERS)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        wanted = "; ".join(f"{n} ({'/'.join(HEADERS[n][:4])})" for n in missing)
        raise InputError(
            msg("表头缺少必需列", "missing required columns") + f"; {headers}",
            where=f"{path}:1",
            hint=msg("需要的列（中文或英文表头均可）：", "required columns: ") + wanted,
        )
    return columns


def _score(raw: str) -> int:
    try:
        value = float(raw)
    except ValueError:
        raise RowError("score", msg(f"评分不是数字 {raw!r}", f"not a number {raw!r}")) from None
    if not value.is_integer() or not 0 <= value <= 10:
        raise RowError(
            "score", msg(f"评分应为 0–10 的整数 {raw!r}", f"must be a whole number 0–10 {raw!r}")
        )
    return int(value)


def parse_answer(raw: dict[str, str], known: set[str], today: date) -> dict[str, Any]:
    customer = raw.get("customer_id", "")
    if not customer:
        raise RowError("customer_id", EMPTY_CELL)
    if customer not in known:
        raise RowError(
            "customer_id", msg(f"未知客户 {customer!r}", f"unknown customer {customer!r}")
        )
    score = _score(raw.get("score", ""))
    answered = parse_date("answered_on", raw.get("answered_on", "").split(" ")[0], required=True)
    assert answered is not None  # required=True
    if answered > today:
        raise RowError("answered_on", msg(f"日期在未来 {answered}", f"in the future: {answered}"))
    return {
        "customer_id": customer, "answered_on": answered, "score": score,
        "comment": raw.get("comment", "")[:COMMENT_CHARS], "channel": raw.get("channel", "")[:128],
    }  # fmt: skip


class NpsImporter:
    def __init__(self, db: Database, clock: Callable[[], datetime] = datetime.now) -> None:
        self.db, self.clock = db, clock

    def run(self, path: Path, *, dry_run: bool, errors_path: Path) -> NpsImportReport:
        if not path.is_file():
            raise InputError(
                msg("文件不存在", "file not found"),
                where=str(path),
                hint=msg("检查文件路径", "check the path"),
            )
        encoding = detect_encoding(path)
        now = self.clock()
        report = NpsImportReport(file=str(path), encoding=encoding, dry_run=dry_run)
        with self.db.begin() as conn:
            known = set(conn.execute(select(customers.c.id)).scalars())
            rows = self._read(path, encoding, known, now.date(), report)
            keys = [(r["customer_id"], r["answered_on"]) for r in rows]
            stored: set[tuple[str, date]] = set()
            key_columns = tuple_(nps_answers.c.customer_id, nps_answers.c.answered_on)
            for start in range(0, len(keys), 500):
                found = conn.execute(
                    select(nps_answers.c.customer_id, nps_answers.c.answered_on).where(
                        key_columns.in_(keys[start : start + 500])
                    )
                )
                stored.update((c, d) for c, d in found)
            fresh = [r for r in rows if (r["customer_id"], r["answered_on"]) not in stored]
            report.new, report.existing = len(fresh), len(rows) - len(fresh)
            if not dry_run:
                for start in range(0, len(fresh), BATCH_ROWS):
                    batch = [{**r, "imported_at": now} for r in fresh[start : start + BATCH_ROWS]]
                    conn.execute(nps_answers.insert(), batch)
        if report.problems:
            write_problems(errors_path, report.problems)
            report.errors_path = errors_path
        return report

    @staticmethod
    def _read(
        path: Path, encoding: str, known: set[str], today: date, report: NpsImportReport
    ) -> list[dict[str, Any]]:
        good: list[dict[str, Any]] = []
        seen: dict[tuple[str, date], int] = {}
        with path.open(encoding=encoding, newline="") as fh:
            reader = csv.reader(fh)
            columns = _columns(path, next(reader, []))
            for number, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                report.rows += 1
                raw = {n: cells[i].strip() if i < len(cells) else "" for n, i in columns.items()}
                try:
                    row = parse_answer(raw, known, today)
                    key = (row["customer_id"], row["answered_on"])
                    if key in seen:
                        raise RowError(
                            "answered_on",
                            msg(f"与第 {seen[key]} 行重复", f"duplicate of row {seen[key]}"),
                        )
                except RowError as exc:
                    report.problems.append(
                        RowProblem(file=path.name, row=number, column=exc.column,
                                   value=raw.get(exc.column, ""), reason=exc.reason)
                    )  # fmt: skip
                    continue
                seen[key] = number
                good.append(row)
        report.errors = len(report.problems)
        return good
