"""Community members (群成员): the nicknames of the people in each community, optionally linked
to their customer record, so the guardrails recognise a group post that names a member.

Imported from CSV the way customers are (`siyu customers members FILE`): Chinese or English
headers, UTF-8 or GBK, good rows stored, each bad row reported with its column and reason,
re-importing the same file changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from copilot.community.schedule import MAX_NAME, PostSchedule
from copilot.customers.csvfile import open_csv
from copilot.customers.importer import FileReport, ImportReport, RowProblem, write_problems
from copilot.customers.rows import REQUIRED, RowError
from copilot.messages import msg
from copilot.store.schema import community_members, customers

MAX_NICKNAME = 64


class CommunityMembers:
    """Adds and imports members; the communities they name are created as in the schedule."""

    def __init__(self, schedule: PostSchedule) -> None:
        self.schedule, self.db = schedule, schedule.db

    def add(self, community: str, nicknames: Iterable[str]) -> int:
        """Add members to a community that has none yet (idempotent: a community with members
        is left alone). Returns the members added."""
        name = self.schedule.ensure(community)
        names = dict.fromkeys(n.strip() for n in nicknames if n.strip())
        rows = [{"community": name, "nickname": nickname} for nickname in names]
        with self.db.begin() as conn:
            if self.schedule.members(name, conn):
                return 0
            self.db.insert_ignore(conn, community_members, rows)
        return len(rows)

    def import_csv(self, path: Path, *, dry_run: bool, errors_path: Path) -> ImportReport:
        """Import a members CSV (community, nickname, optional customer_id); rows with errors are
        reported in the result and written to `errors_path`."""
        src = open_csv(path, "members")
        with self.db.begin() as conn:
            known = set(conn.execute(select(customers.c.id)).scalars())
            existing = {
                (community, nickname)
                for community, nickname in conn.execute(
                    select(community_members.c.community, community_members.c.nickname)
                )
            }
        problems: list[RowProblem] = []
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        seen: dict[tuple[str, str], int] = {}
        count = 0
        for number, raw in src.rows():
            count += 1
            try:
                row = _member_row(raw, known)
                key = (row["community"], row["nickname"])
                if key in seen:
                    raise RowError(
                        "nickname", msg(f"与第 {seen[key]} 行重复", f"duplicate of row {seen[key]}")
                    )
            except RowError as exc:
                problems.append(
                    RowProblem(
                        file=path.name, row=number, column=exc.column,
                        value=raw.get(exc.column, ""), reason=exc.reason,
                    )
                )  # fmt: skip
                continue
            seen[key], rows[key] = number, row
        if not dry_run and rows:
            for community in {row["community"] for row in rows.values()}:
                self.schedule.ensure(community)
            with self.db.begin() as conn:
                self.db.upsert(
                    conn, community_members, list(rows.values()), ["community", "nickname"]
                )
        new = sum(key not in existing for key in rows)
        report = ImportReport(
            dry_run=dry_run,
            files=[
                FileReport(
                    file=str(path), kind="members", encoding=src.encoding, rows=count, new=new,
                    existing=len(rows) - new, errors=len(problems),
                )
            ],
            problems=problems,
        )  # fmt: skip
        if problems:
            write_problems(errors_path, problems)
            report.errors_path = errors_path
        return report


def _member_row(raw: dict[str, str], known: set[str]) -> dict[str, Any]:
    """A members table row from a CSV row, or the RowError naming the bad cell."""
    row = {column: raw.get(column, "") for column in ("community", "nickname", "customer_id")}
    for column, limit in (("community", MAX_NAME), ("nickname", MAX_NICKNAME)):
        if not row[column]:
            raise RowError(column, REQUIRED)
        if len(row[column]) > limit:
            raise RowError(column, msg(f"超过 {limit} 个字", f"longer than {limit} characters"))
    if row["customer_id"] and row["customer_id"] not in known:
        customer = repr(row["customer_id"])
        raise RowError("customer_id", msg(f"未知客户 {customer}", f"unknown customer {customer}"))
    return row
