"""The monthly report as Markdown (what `siyu report` prints)."""

from __future__ import annotations

from copilot.analytics.labels import DAMAGED, EMPTY_MONTH
from copilot.analytics.models import MonthlyReport
from copilot.analytics.tables import TextTable, report_tables


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(table: TextTable) -> list[str]:
    lines = [f"## {table.title}", ""]
    if not table.rows:
        return [*lines, "（无 / none）", ""]
    lines.append("| " + " | ".join(_escape(h) for h in table.headers) + " |")
    lines.append("|" + "---|" * len(table.headers))
    lines += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def integrity_lines(report: MonthlyReport) -> list[str]:
    i = report.integrity
    if i.ok:
        checked = "，哈希链已校验 / hash chain verified" if i.chain_checked else ""
        return [f"审计日志可读 / audit log readable{checked}。", ""]
    lines = [f"**{DAMAGED}**", ""]
    if i.unreadable_rows:
        ids = ", ".join(str(n) for n in i.unreadable_ids)
        lines.append(f"- 无法读取 / unreadable: {i.unreadable_rows}（事件 / events {ids}）")
    lines += [f"- {p}" for p in i.chain_problems]
    return [*lines, ""]


def render_markdown(report: MonthlyReport) -> str:
    lines = [f"# 私域 Copilot 月报 / monthly report {report.month}", ""]
    lines.append(f"{report.start} – {report.end}")
    lines.append("")
    lines += integrity_lines(report)
    if report.empty:
        return "\n".join([*lines, EMPTY_MONTH, ""])
    for table in report_tables(report):
        lines += _table(table)
    return "\n".join(lines)
