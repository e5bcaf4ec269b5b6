"""Tab 看板: is the copilot helping? The month's acceptance, guardrail, cadence and NPS figures,
a chart of suggestions per day, the month's knowledge gaps (questions grouped into topics), and
every table of `siyu report` plus the gap topics downloadable as CSV. Everything renders in the
page's language."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

import gradio as gr

from copilot.analytics.gaps import GapReport, find_gaps
from copilot.analytics.html import decision_chart, integrity_html
from copilot.analytics.labels import ACCEPTANCE_COLUMNS, EMPTY_MONTH, NONE, cell
from copilot.analytics.models import MonthlyReport
from copilot.analytics.nps import nps_report
from copilot.analytics.report import build_report
from copilot.analytics.tables import TRENDS, TextTable, gap_reasons, gap_table, report_tables
from copilot.errors import CopilotError
from copilot.messages import Msg, language, msg, render
from copilot.ui.cards import error_html, message_html
from copilot.ui.i18n import Texts
from copilot.ui.safe import h
from copilot.ui.workbench import Workbench

GAPS_SHOWN = 5
GAPS_TITLE = msg(
    "知识缺口：转人工、被拒或大改的问题",
    "Knowledge gaps: questions handed over, rejected or rewritten",
)
NO_GAPS = msg("本月没有知识缺口。", "No knowledge gaps this month.")
ASKS = msg("次", "asks")
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


def gaps_html(report: GapReport) -> str:
    """The biggest gap topics: central question, asks, trend, reasons and other wordings."""
    if not report.topics:
        return f"<h4>{h(GAPS_TITLE)}</h4><p>{h(NO_GAPS)}</p>"
    items = "".join(
        f"<li><b>{h(t.label)}</b> · {h(t.count)} {h(ASKS)} {h(TRENDS[t.trend])} · "
        f"{h(gap_reasons(t.reasons))}" + "".join(f"<br>· {h(s)}" for s in t.samples[1:3]) + "</li>"
        for t in report.topics[:GAPS_SHOWN]
    )
    return f"<h4>{h(GAPS_TITLE)}</h4><ol>{items}</ol>"


def frame(table: TextTable) -> dict[str, list[Any]]:
    """The table as a Dataframe value; an empty one shows a single "none" row."""
    rows = table.rows or [[render(NONE), *[""] * (len(table.headers) - 1)]]
    return {"headers": [render(c) for c in table.headers], "data": rows}


class DashboardTab:
    def __init__(self, wb: Workbench, t: Texts) -> None:
        self.wb, self.app, self.t = wb, wb.copilot, t

    def refresh(self, month: str, key: str) -> tuple[str, str, Any, Any]:
        """(summary, gap topics, selected table, the tables for later picks and downloads)."""
        with language(self.t.lang):
            try:
                report = build_report(self.app.db, month.strip())
                nps = nps_report(self.app.db, month.strip())
            except CopilotError as exc:
                return error_html(exc), "", None, None
            tables = {table.key: table for table in report_tables(report)}
            try:  # the embedder may be a remote endpoint: the figures stand without the gaps
                embed = self.app.store.embedder.embed_documents
                gaps = find_gaps(self.app.db, month.strip(), embed)
                tables["gaps"], gap_view = gap_table(gaps), gaps_html(gaps)
            except CopilotError as exc:
                gap_view = error_html(exc)
            summary = summary_html(report, nps.overall.nps, nps.overall.answers)
            return summary, gap_view, self.pick(key, tables), tables

    def pick(self, key: str, tables: dict[str, TextTable] | None) -> Any:
        with language(self.t.lang):
            return frame(tables[key]) if tables and key in tables else None

    def export(self, key: str, tables: dict[str, TextTable] | None) -> tuple[str, str | None]:
        if not tables or key not in tables:
            return message_html(self.t("refresh_first")), None
        table = tables[key]
        out = self.wb.exports_dir / f"dashboard-{key}-{date.today():%Y%m%d}.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(
                [c.render(self.t.lang) if isinstance(c, Msg) else c for c in table.headers]
            )
            writer.writerows(table.rows)
        return "", str(out)

    def build(self) -> None:
        t = self.t
        empty = [*report_tables(_EMPTY), gap_table(_NO_GAPS)]
        choices = [(table.title.render(t.lang), table.key) for table in empty]
        with gr.Row():
            month = gr.Textbox(label=t("month"), value=f"{date.today():%Y-%m}",
                               elem_id="siyu-dashboard-month")  # fmt: skip
            run = gr.Button(t("refresh_dashboard"), variant="primary", elem_id="siyu-dashboard-run")
        summary = gr.HTML(elem_id="siyu-dashboard")
        gaps = gr.HTML(elem_id="siyu-dashboard-gaps")
        with gr.Row():
            key = gr.Dropdown(choices, value="by_task", label=t("dashboard_table"),
                              elem_id="siyu-dashboard-table")  # fmt: skip
            export = gr.Button(t("export_csv"), elem_id="siyu-dashboard-export")
        table = gr.Dataframe(wrap=True, elem_id="siyu-dashboard-rows")
        note = gr.HTML()
        download = gr.File(label=t("download"), elem_id="siyu-dashboard-file", height=90)
        tables = gr.State(None)
        run.click(self.refresh, [month, key], [summary, gaps, table, tables])
        key.change(self.pick, [key, tables], table)
        export.click(self.export, [key, tables], [note, download])


_EMPTY = MonthlyReport.model_validate({
    "month": "", "start": "", "end": "", "integrity": {}, "totals": {}, "by_day": {},
    "by_week": {}, "by_task": {}, "by_prompt_version": {}, "by_backend": {}, "by_agent": {},
    "by_community": {}, "by_source": {}, "reject_reasons": {}, "verdicts": {}, "rules": [],
    "overrides": [], "communities": [], "messages": [],
})  # fmt: skip
_NO_GAPS = GapReport(month="", questions=0, threshold=0.0, topics=[])
