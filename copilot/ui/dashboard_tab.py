"""Tab 看板: is the copilot helping? The month's acceptance, guardrail, cadence and NPS figures,
a chart of suggestions per day, and every table of `siyu report` downloadable as CSV."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

import gradio as gr

from copilot.analytics.html import decision_chart, integrity_html
from copilot.analytics.labels import ACCEPTANCE_COLUMNS, EMPTY_MONTH, cell
from copilot.analytics.models import MonthlyReport
from copilot.analytics.nps import nps_report
from copilot.analytics.report import build_report
from copilot.analytics.tables import TextTable, report_tables
from copilot.errors import CopilotError
from copilot.messages import msg, render
from copilot.ui.cards import error_html, message_html
from copilot.ui.i18n import Texts
from copilot.ui.safe import h
from copilot.ui.workbench import Workbench

HEADLINE = ("shown", "accepted_share", "edited_share", "rejected_share", "needs_human_share",
            "mean_decision_seconds", "mean_edit_distance")  # fmt: skip


def summary_html(report: MonthlyReport, nps: float | None, answers: int) -> str:
    """Headline figures, the integrity warning and the per-day chart (every value escaped)."""
    totals = report.totals.model_dump()
    labels = dict(ACCEPTANCE_COLUMNS)
    items = "".join(f"<li>{h(labels[k])}: <b>{h(cell(k, totals[k]))}</b></li>" for k in HEADLINE)
    nps_line = f"<li>NPS: <b>{h(cell('nps', nps))}</b> ({h(answers)})</li>"
    empty = f"<p>{h(EMPTY_MONTH)}</p>" if report.empty else ""
    return (
        f"<h3>{h(report.month)} · {h(report.start)} – {h(report.end)}</h3>"
        f"{integrity_html(report)}{empty}<ul>{items}{nps_line}</ul>"
        f'<div id="siyu-dashboard-chart">{decision_chart(report.by_day)}</div>'
    )


NONE = msg("（无）", "(none)")


def frame(table: TextTable) -> dict[str, list[Any]]:
    """The table as a Dataframe value; an empty one shows a single "none" row."""
    rows = table.rows or [[render(NONE), *[""] * (len(table.headers) - 1)]]
    return {"headers": table.headers, "data": rows}


class DashboardTab:
    def __init__(self, wb: Workbench, t: Texts) -> None:
        self.wb, self.app, self.t = wb, wb.copilot, t

    def refresh(self, month: str, key: str) -> tuple[str, Any, Any]:
        """(summary, selected table, the tables for later picks and downloads)."""
        try:
            report = build_report(self.app.db, month.strip())
            nps = nps_report(self.app.db, month.strip())
        except CopilotError as exc:
            return error_html(exc), None, None
        tables = {table.key: table for table in report_tables(report)}
        summary = summary_html(report, nps.overall.nps, nps.overall.answers)
        return summary, frame(tables[key]), tables

    def pick(self, key: str, tables: dict[str, TextTable] | None) -> Any:
        return frame(tables[key]) if tables else None

    def export(self, key: str, tables: dict[str, TextTable] | None) -> tuple[str, str | None]:
        if not tables:
            return message_html(self.t("refresh_first")), None
        table = tables[key]
        out = self.wb.exports_dir / f"dashboard-{key}-{date.today():%Y%m%d}.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(table.headers)
            writer.writerows(table.rows)
        return "", str(out)

    def build(self) -> None:
        t = self.t
        choices = [(table.title, table.key) for table in report_tables(_EMPTY)]
        with gr.Row():
            month = gr.Textbox(label=t("month"), value=f"{date.today():%Y-%m}",
                               elem_id="siyu-dashboard-month")  # fmt: skip
            run = gr.Button(t("refresh_dashboard"), variant="primary", elem_id="siyu-dashboard-run")
        summary = gr.HTML(elem_id="siyu-dashboard")
        with gr.Row():
            key = gr.Dropdown(choices, value="by_task", label=t("dashboard_table"),
                              elem_id="siyu-dashboard-table")  # fmt: skip
            export = gr.Button(t("export_csv"), elem_id="siyu-dashboard-export")
        table = gr.Dataframe(wrap=True, elem_id="siyu-dashboard-rows")
        note = gr.HTML()
        download = gr.File(label=t("download"), elem_id="siyu-dashboard-file", height=90)
        tables = gr.State(None)
        run.click(self.refresh, [month, key], [summary, table, tables])
        key.change(self.pick, [key, tables], table)
        export.click(self.export, [key, tables], [note, download])


_EMPTY = MonthlyReport.model_validate({
    "month": "", "start": "", "end": "", "integrity": {}, "totals": {}, "by_day": {},
    "by_week": {}, "by_task": {}, "by_prompt_version": {}, "by_backend": {}, "by_agent": {},
    "by_community": {}, "by_source": {}, "reject_reasons": {}, "verdicts": {}, "rules": [],
    "overrides": [], "communities": [], "messages": [],
})  # fmt: skip
