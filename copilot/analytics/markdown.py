"""The monthly report as Markdown (what `siyu report` prints), in the current language."""

from __future__ import annotations

from copilot.analytics.labels import (
    CHAIN_VERIFIED,
    DAMAGED,
    EMPTY_MONTH,
    EVENTS,
    NONE,
    READABLE,
    TITLE,
    UNREADABLE,
)
from copilot.analytics.models import MonthlyReport
from copilot.analytics.tables import TextTable, report_tables
from copilot.messages import Text, render


def _escape(text: Text) -> str:
    return render(text).replace("|", "\\|").replace("\n", " ")


def _table(table: TextTable) -> list[str]:
    lines = [f"## {table.title}", ""]
    if not table.rows:
        return [*lines, str(NONE), ""]
    lines.append("| " + " | ".join(_escape(h) for h in table.headers) + " |")
    lines.append("|" + "---|" * len(table.headers))
    lines += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def integrity_lines(report: MonthlyReport) -> list[str]:
    i = report.integrity
    if i.ok:
        checked = f" {CHAIN_VERIFIED}" if i.chain_checked else ""
        return [f"{READABLE}{checked}", ""]
    lines = [f"**{DAMAGED}**", ""]
    if i.unreadable_rows:
        ids = ", ".join(str(n) for n in i.unreadable_ids)
        lines.append(f"- {UNREADABLE}: {i.unreadable_rows} ({EVENTS} {ids})")
    lines += [f"- {render(p)}" for p in i.chain_problems]
    return [*lines, ""]


def render_markdown(report: MonthlyReport) -> str:
    lines = [f"# {TITLE} {report.month}", ""]
    lines.append(f"{report.start} – {report.end}")
    lines.append("")
    lines += integrity_lines(report)
    if report.empty:
        return "\n".join([*lines, str(EMPTY_MONTH), ""])
    for table in report_tables(report):
        lines += _table(table)
    return "\n".join(lines)
