"""Import customers, orders and consents from CSV: good rows stored, bad rows reported per cell.

Re-importing the same files changes nothing (upsert by id; consent events are unique by
customer, purpose, action and time). A consent event whose effective time lies in the future
is a row error: consent is recorded when it happens, never scheduled.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Hashable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from copilot.customers.csvfile import CsvSource, Kind, open_csv
from copilot.customers.rows import RowError, parse_row
from copilot.guardrails.consent_state import future_reason
from copilot.messages import Text, msg, render
from copilot.store.engine import BATCH_ROWS, Database
from copilot.store.schema import consents, customers, orders

Progress = Callable[[str, int, int], None]  # file label, rows done, rows total
KIND_ORDER: tuple[Kind, ...] = ("customers", "orders", "consents")
TABLES: dict[Kind, Table] = {"customers": customers, "orders": orders, "consents": consents}
CONSENT_KEY = ("customer_id", "purpose", "action", "at")
ERROR_COLUMNS = ("file", "row", "column", "value", "reason")


class RowProblem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str
    row: int
    column: str
    value: str
    reason: Text


class FileReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str
    kind: Kind
    encoding: str
    rows: int = 0
    new: int = 0
    existing: int = 0
    errors: int = 0


class ImportReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool
    files: list[FileReport] = Field(default_factory=list)
    problems: list[RowProblem] = Field(default_factory=list)
    errors_path: Path | None = None


def _key(kind: Kind, row: dict[str, Any]) -> Hashable:
    return tuple(row[c] for c in CONSENT_KEY) if kind == "consents" else row["id"]


class Importer:
    """Runs one import of up to three files, customers first so orders can refer to them."""

    def __init__(
        self,
        db: Database,
        *,
        purposes: Collection[str],
        progress: Progress | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.db = db
        self.purposes = set(purposes)
        self.progress = progress
        self.clock = clock
        self.now = datetime.min  # set when a run starts; consent times are checked against it

    def _existing(self, conn: Connection, kind: Kind) -> set[Hashable]:
        table = TABLES[kind]
        if kind == "consents":
            return {tuple(r) for r in conn.execute(select(*[table.c[c] for c in CONSENT_KEY]))}
        return set(conn.execute(select(table.c.id)).scalars())

    def _check(self, kind: Kind, row: dict[str, Any], known: set[Hashable]) -> None:
        if kind != "customers" and row["customer_id"] not in known:
            customer = repr(row["customer_id"])
            raise RowError(
                "customer_id", msg(f"未知客户 {customer}", f"unknown customer {customer}")
            )
        if kind == "consents" and row["purpose"] not in self.purposes:
            purpose, valid = repr(row["purpose"]), ", ".join(sorted(self.purposes))
            raise RowError(
                "purpose",
                msg(
                    f"未知授权用途 {purpose}，可选：{valid}",
                    f"unknown consent purpose {purpose}, valid: {valid}",
                ),
            )
        if kind == "consents" and (reason := future_reason(row["at"], self.now)) is not None:
            raise RowError("at", reason)

    def _import_file(
        self, conn: Connection, src: CsvSource, known: set[Hashable], dry_run: bool
    ) -> tuple[FileReport, list[RowProblem]]:
        problems: list[RowProblem] = []
        existing = self._existing(conn, src.kind)
        seen: dict[Hashable, int] = {}
        batch: list[dict[str, Any]] = []
        total = src.count_rows()
        rows = new = 0  # plain counters: this loop runs once per CSV row
        for number, raw in src.rows():
            rows += 1
            try:
                row = parse_row(src.kind, raw)
                self._check(src.kind, row, known)
                key = _key(src.kind, row)
                if key in seen:
                    raise RowError(
                        "id" if src.kind != "consents" else "at",
                        msg(f"与第 {seen[key]} 行重复", f"duplicate of row {seen[key]}"),
                    )
            except RowError as exc:
                problems.append(
                    RowProblem(
                        file=src.path.name, row=number, column=exc.column,
                        value=raw.get(exc.column, ""), reason=exc.reason,
                    )
                )  # fmt: skip
                continue
            seen[key] = number
            new += key not in existing
            if src.kind == "customers":
                known.add(row["id"])
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                self._write(conn, src.kind, batch, dry_run)
                if self.progress:
                    self.progress(src.path.name, rows, total)
        self._write(conn, src.kind, batch, dry_run)
        if self.progress:
            self.progress(src.path.name, rows, max(total, rows))
        report = FileReport(
            file=str(src.path), kind=src.kind, encoding=src.encoding, rows=rows, new=new,
            existing=rows - len(problems) - new, errors=len(problems),
        )  # fmt: skip
        return report, problems

    def _write(
        self, conn: Connection, kind: Kind, batch: list[dict[str, Any]], dry_run: bool
    ) -> None:
        if not dry_run:
            if kind == "consents":
                self.db.insert_ignore(conn, consents, batch)
            else:
                self.db.upsert(conn, TABLES[kind], batch, ["id"])
        batch.clear()

    def run(self, paths: list[Path], *, dry_run: bool, errors_path: Path) -> ImportReport:
        """Import files (any order, kind detected from headers); row errors go to errors_path."""
        sources = sorted((open_csv(p) for p in paths), key=lambda s: KIND_ORDER.index(s.kind))
        report = ImportReport(dry_run=dry_run)
        self.now = self.clock()
        with self.db.begin() as conn:
            known = set(conn.execute(select(customers.c.id)).scalars())
        for src in sources:
            with self.db.begin() as conn:
                file_report, problems = self._import_file(conn, src, known, dry_run)
            report.files.append(file_report)
            report.problems.extend(problems)
        if report.problems:
            write_problems(errors_path, report.problems)
            report.errors_path = errors_path
        return report


def write_problems(path: Path, problems: list[RowProblem]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ERROR_COLUMNS)
        writer.writerows([p.file, p.row, p.column, p.value, render(p.reason)] for p in problems)
